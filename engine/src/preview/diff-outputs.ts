/**
 * What would change: the outputs of the live version and of a draft, paired by key and
 * compared field by field. A sink's key is what identifies one of its results: the key fields
 * of the nearest keyed node upstream (a window's keyBy) plus the window start when present;
 * without one, results pair by their position.
 */
import { type Event, type FieldChange, fieldReader, type PipelineDocument, type RowChange, type SinkDiff } from '@sluice/shared';

export type { FieldChange, RowChange, SinkDiff };
import { nodeDefinitions } from '@sluice/nodes/definitions';

/** Rows listed per sink; the counts always cover everything. */
const MAX_ROWS = 500;
const MAX_MOVES = 10;

/** The key fields of a sink's results, from the nearest keyed node upstream. */
export function sinkKeyFields(document: PipelineDocument, sinkId: string): string[] {
  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  let frontier = [sinkId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of document.edges) {
        if (e.target !== id || seen.has(e.source)) continue;
        seen.add(e.source);
        const node = byId.get(e.source);
        if (!node) continue;
        const keyBy = nodeDefinitions.get(node.type)?.keyBy?.(node.config);
        if (keyBy && keyBy.length > 0) return node.type === 'window' ? [...keyBy, 'window_start'] : [...keyBy];
        next.push(e.source);
      }
    }
    frontier = next;
  }
  return [];
}

/** Keys in output order; a key seen twice gets `#2`, `#3`... so nothing is silently merged. */
function keyed(events: readonly Event[], fields: readonly string[]): Map<string, Event> {
  const out = new Map<string, Event>();
  const counts = new Map<string, number>();
  const readers = fields.map((f) => ({ f, read: fieldReader(f) }));
  events.forEach((e, i) => {
    const base = fields.length === 0 ? `#${i + 1}` : readers.map(({ f, read }) => `${f}=${JSON.stringify(read(e)) ?? 'null'}`).join(', ');
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    out.set(n === 1 ? base : `${base} #${n}`, e);
  });
  return out;
}

function compareFields(before: Event, after: Event): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[field];
    const a = after[field];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    const c: FieldChange = { field, before: b, after: a };
    if (typeof a === 'number' && typeof b === 'number') {
      c.delta = a - b;
      if (b !== 0) c.pct = ((a - b) / Math.abs(b)) * 100;
    }
    changes.push(c);
  }
  return changes;
}

/** Size of a change, for ordering: relative when possible, else absolute, else "some". */
function magnitude(f: FieldChange): number {
  if (f.pct !== undefined) return Math.abs(f.pct);
  if (f.delta !== undefined) return Math.abs(f.delta);
  return 0;
}

export function diffOutputs(live: readonly Event[], draft: readonly Event[], keyFields: string[]): SinkDiff {
  const before = keyed(live, keyFields);
  const after = keyed(draft, keyFields);
  const rows: RowChange[] = [];
  let unchanged = 0;
  for (const [key, b] of before) {
    const a = after.get(key);
    if (!a) {
      rows.push({ key, change: 'removed', before: b, fields: [] });
      continue;
    }
    const fields = compareFields(b, a);
    if (fields.length === 0) unchanged++;
    else rows.push({ key, change: 'changed', before: b, after: a, fields });
  }
  for (const [key, a] of after) if (!before.has(key)) rows.push({ key, change: 'added', after: a, fields: [] });
  const moves = rows.flatMap((r) => r.fields.filter((f) => f.delta !== undefined).map((f) => ({ key: r.key, ...f })));
  moves.sort((x, y) => magnitude(y) - magnitude(x));
  const rank = (r: RowChange) => (r.change === 'changed' ? Math.max(0, ...r.fields.map(magnitude)) : -1);
  rows.sort((x, y) => rank(y) - rank(x));
  return {
    key: keyFields,
    unchanged,
    changed: rows.filter((r) => r.change === 'changed').length,
    added: rows.filter((r) => r.change === 'added').length,
    removed: rows.filter((r) => r.change === 'removed').length,
    rows: rows.slice(0, MAX_ROWS),
    biggestMoves: moves.slice(0, MAX_MOVES),
  };
}
