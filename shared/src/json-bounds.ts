/**
 * JSON with bounds: a depth scan of the raw text (no recursion, no parse) before JSON.parse,
 * and a refusal of numbers JSON.parse turns into Infinity (`1e400`), which JSON.stringify
 * would store as `null`. Used by the API's body parser, ingest and the document parser.
 */
import { formatPath } from './graph/zod-issues.js';

export interface DepthExcess {
  /** The limit that was passed. */
  limit: number;
  /** Character offset of the bracket that went past the limit. */
  offset: number;
  /** When the text is a JSON array: the index of the top-level element holding that bracket. */
  index: number;
}

/** The first place where `[`/`{` nest deeper than `limit`, or undefined. Strings are skipped. */
export function findDepthExcess(text: string, limit: number): DepthExcess | undefined {
  let depth = 0;
  let index = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, stepping over escapes.
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return { limit, offset: i, index };
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) index++;
  }
  return undefined;
}

/** The path of the first number that is not finite (`1e400` parses as Infinity), or undefined. */
export function findNonFinite(value: unknown): string | undefined {
  // Iterative: the value may come from anywhere (the depth scan is the caller's business).
  const stack: [unknown, PropertyKey[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return formatPath(path) || '(the top level)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], [...path, entries[i]![0]]]);
    }
  }
  return undefined;
}

/** How deep a parsed value nests (a scalar is 0, `{}` is 1), without recursion. */
export function valueDepth(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > stopAbove) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

export type BoundedJson =
  | { ok: true; value: unknown }
  | { ok: false; code: 'too-deep' | 'non-finite-number' | 'malformed-json'; message: string };

/** Parse `text` refusing nesting past `maxDepth` and non-finite numbers; messages say where. */
export function parseBoundedJson(text: string, maxDepth: number, what = 'the JSON'): BoundedJson {
  const deep = findDepthExcess(text, maxDepth);
  if (deep)
    return {
      ok: false,
      code: 'too-deep',
      message: `${what} nests deeper than ${maxDepth} levels (at character ${deep.offset}); the limit is ${maxDepth}`,
    };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'malformed-json', message: `${what} is not valid JSON: ${(err as Error).message}` };
  }
  const bad = findNonFinite(value);
  if (bad !== undefined)
    return {
      ok: false,
      code: 'non-finite-number',
      message: `${what} has a number too large to represent at ${bad} (it would read as null)`,
    };
  return { ok: true, value };
}
