/** Helpers for node definitions' `fieldUse`: the top-level event fields expressions read. */
import { checkExpression } from '../expr/api.js';
import type { FieldUse } from './node-type.js';

/** Top-level fields an expression reads (`user.country` reads `user`); params are not fields. */
export function expressionFields(source: string): string[] {
  return checkExpression(source, { params: {} }).fields.map((f) => f.split('.')[0]!);
}

/** The union of what several parts read; 'all' wins. */
export function readsOf(...parts: (readonly string[] | 'all')[]): readonly string[] | 'all' {
  const out = new Set<string>();
  for (const p of parts) {
    if (p === 'all') return 'all';
    for (const f of p) out.add(f.split('.')[0]!);
  }
  return [...out];
}

/** A node that reads these expressions' fields and passes its input events on. */
export function passThroughUse(sources: readonly string[], extra: readonly string[] = []): FieldUse {
  return { reads: readsOf(extra, ...sources.map(expressionFields)), forwards: true };
}
