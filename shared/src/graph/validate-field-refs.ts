/**
 * Config values that name an input field (a window's `keyBy`, an aggregate's `field`), checked
 * against the fields that reach the node the way an expression's field names are: an unknown
 * name is an error with the closest known one ("categroy": did you mean "category"?). An open
 * or unknown input schema (an HTTP source, a node without inference) checks nothing.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { EventSchema } from '../schema/event-schema.js';
import { closestName } from './did-you-mean.js';

export function checkFieldRefs(
  refs: readonly { path: string; field: string }[],
  nodeId: string,
  input: EventSchema | undefined,
): Diagnostic[] {
  if (!input || input.open) return [];
  const out: Diagnostic[] = [];
  const known = Object.keys(input.fields);
  for (const { path, field } of refs) {
    if (field === '' || Object.hasOwn(input.fields, field)) continue;
    // A dotted name under a known object (or unknown) field is that field's business.
    const parts = field.split('.');
    let decided = false;
    for (let i = parts.length - 1; i > 0 && !decided; i--) {
      const prefix = parts.slice(0, i).join('.');
      if (!Object.hasOwn(input.fields, prefix)) continue;
      decided = true;
      const t = input.fields[prefix];
      if (t !== 'object' && t !== 'any' && t !== 'null')
        out.push({
          severity: 'error',
          code: 'unknown-field',
          nodeId,
          path,
          message: `"${prefix}" is a ${t}, it has no field "${parts[i]}"`,
        });
    }
    if (decided) continue;
    const close = closestName(field, known);
    const hint = close
      ? `; did you mean "${close}"?`
      : known.length > 0
        ? ` (fields here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''})`
        : '';
    out.push({ severity: 'error', code: 'unknown-field', nodeId, path, message: `unknown field "${field}"${hint}` });
  }
  return out;
}
