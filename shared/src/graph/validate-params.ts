/** Params' own bounds: a number outside `min`/`max` is refused (types are checked with the shape). */
import type { Diagnostic } from '../diagnostic.js';
import type { PipelineDocument } from './document.js';
import { formatPath } from './zod-issues.js';

export function validateParams(doc: PipelineDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (message: string, path: string): Diagnostic => ({ severity: 'error', code: 'param-bounds', message, path });
  for (const [name, p] of Object.entries(doc.params ?? {})) {
    const at = (field: string) => formatPath(['params', name, field]);
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) {
      out.push(err(`min ${p.min} is above max ${p.max}`, at('min')));
      continue;
    }
    if (typeof p.value !== 'number') continue;
    if (p.min !== undefined && p.value < p.min) out.push(err(`${p.value} is below the minimum ${p.min}`, at('value')));
    if (p.max !== undefined && p.value > p.max) out.push(err(`${p.value} is above the maximum ${p.max}`, at('value')));
  }
  return out;
}
