/**
 * How deeply an event may nest. JSON.parse reads any depth, but what comes after recurses:
 * JSON.stringify in every sink, state snapshots, BullMQ's serialization. A 100,000-deep record
 * posted to ingest overflowed the stack in a sink and failed the whole run. Sources' events are
 * screened when they enter the pipeline (NodeInstance.emitSourceBatch), so nothing downstream
 * ever sees one: a record nested deeper is the source's error.
 */

/** The same bound as a document's JSON nesting (GRAPH_FORMAT.md); the event itself is level 1. */
export const MAX_EVENT_DEPTH = 64;

/** An event nested past MAX_EVENT_DEPTH (its error-port copy has the deep fields set to null). */
export class EventTooDeepError extends Error {
  readonly code = 'event-too-deep';
  constructor(readonly fields: readonly string[]) {
    super(
      `${fields.map((f) => JSON.stringify(f)).join(', ')} nested deeper than ${MAX_EVENT_DEPTH} levels, the limit for an event (left out here)`,
    );
    this.name = 'EventTooDeepError';
  }
}

/** The top-level fields of `e` whose values nest past `limit` levels (the event is level 1); usually none. */
export function tooDeepFields(e: object, limit = MAX_EVENT_DEPTH): string[] | undefined {
  let found: string[] | undefined;
  for (const k in e) {
    const v = (e as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null && nestsDeeper(v, limit - 1)) (found ??= []).push(k);
  }
  return found;
}

/** True when `root` (level 1) holds an object or array at a level past `levels`. Iterative: any depth. */
function nestsDeeper(root: object, levels: number): boolean {
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (d > levels) return true;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (typeof x === 'object' && x !== null) {
          values.push(x);
          depths.push(d + 1);
        }
      }
      continue;
    }
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'object' && x !== null) {
        values.push(x);
        depths.push(d + 1);
      }
    }
  }
  return false;
}
