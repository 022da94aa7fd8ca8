/**
 * Breakpoints as a caller sends them, checked against the compiled document before a session
 * starts: each names an edge of the document and may carry a condition in the expression
 * language (docs/expressions.md: parsed and compiled, never eval'd). Every problem names the
 * breakpoint and what is wrong with it.
 */
import {
  checkExpression,
  compileExpression,
  MAX_SOURCE_LENGTH,
  NODE_ID,
  type ParamType,
  type ParamValue,
  type PipelineDocument,
} from '@sluice/shared';
import type { Breakpoint } from './debug-protocol.js';

export const MAX_BREAKPOINTS = 50;

export class BreakpointError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid-breakpoint' | 'invalid-body' = 'invalid-breakpoint',
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkBreakpoints(raw: unknown, document: PipelineDocument, params: Record<string, ParamValue>): Breakpoint[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new BreakpointError('"breakpoints" must be a list: [ { "edge": "<edge id>", "condition"?: "<expression>" } ]');
  if (raw.length > MAX_BREAKPOINTS) throw new BreakpointError(`"breakpoints": ${raw.length} given, at most ${MAX_BREAKPOINTS}`);
  const types: Record<string, ParamType> = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.type]));
  const ids = new Set<string>();
  return raw.map((b, i): Breakpoint => {
    const where = `breakpoints[${i}]`;
    if (!isObject(b)) throw new BreakpointError(`${where}: a breakpoint is an object { "edge": "<edge id>", "condition"?: "..." }`);
    const id = b.id ?? `bp${i + 1}`;
    if (typeof id !== 'string' || !NODE_ID.test(id)) throw new BreakpointError(`${where}: "id" must be 1 to 64 letters, digits, _ or -`);
    const name = `breakpoint "${id}"`;
    if (ids.has(id)) throw new BreakpointError(`${name}: the id is used twice`);
    ids.add(id);
    if (typeof b.edge !== 'string') throw new BreakpointError(`${name}: "edge" must be an edge id`);
    if (!document.edges.some((e) => e.id === b.edge)) throw new BreakpointError(`${name}: the document has no edge "${b.edge}"`);
    if (b.condition === undefined || b.condition === null || b.condition === '') return { id, edge: b.edge };
    if (typeof b.condition !== 'string') throw new BreakpointError(`${name}: "condition" must be an expression (text)`);
    if (b.condition.length > MAX_SOURCE_LENGTH)
      throw new BreakpointError(`${name}: the condition is ${b.condition.length} characters long, at most ${MAX_SOURCE_LENGTH}`);
    const issue = checkExpression(b.condition, { params: types }).issues.find((x) => x.severity === 'error');
    if (issue) throw new BreakpointError(`${name} on edge "${b.edge}": condition: ${issue.message} (column ${issue.column})`);
    try {
      compileExpression(b.condition, { params });
    } catch (err) {
      throw new BreakpointError(`${name} on edge "${b.edge}": condition: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { id, edge: b.edge, condition: b.condition };
  });
}
