import { type Event, fieldReader } from '@sluice/shared';
import { type Collector, type Operator, type OperatorFactory, ROW_NUMBER } from '../sdk/operator.js';
import { type EnrichConfig, lookupKey } from './definition.js';
import { loadTableFile } from './load-table.js';

/** What the `error` port gets with onMissing: error. */
export class EnrichMissError extends Error {
  readonly code = 'enrich-missing';
}

/**
 * Key text -> the fields to copy, built once per row, so each event costs one lookup and one
 * `Object.assign` (measured ~4x faster than `{...event, ...fields}` on Node 20 for these events).
 */
export function buildIndex(rows: readonly Record<string, unknown>[], c: EnrichConfig): Map<string, Record<string, unknown>> {
  const prefix = c.prefix ?? '';
  const index = new Map<string, Record<string, unknown>>();
  let rowNumber = 0;
  for (const row of rows) {
    const k = lookupKey(row[c.key]);
    if (k === undefined) continue;
    const copy: Record<string, unknown> = {};
    if (c.fields) {
      // A listed column missing from a row is copied as null: every output has the same fields.
      for (const f of c.fields) copy[prefix + f] = Object.hasOwn(row, f) ? row[f] : null;
    } else {
      for (const name of Object.keys(row)) if (name !== c.key) copy[prefix + name] = row[name];
    }
    // Not enumerable: Object.assign and spreads leave it out of the enriched events.
    Object.defineProperty(copy, ROW_NUMBER, { value: rowNumber++ });
    index.set(k, copy);
  }
  return index;
}

export const enrichOperator: OperatorFactory<EnrichConfig> = async (ctx) => {
  const c = ctx.config;
  const rows = 'rows' in c.table ? c.table.rows : await loadTableFile(ctx.resolvePath(c.table.path), c.table.path, c.table.format);
  return new Enrich(buildIndex(rows, c), c);
};

class Enrich implements Operator {
  readonly passesOwnership = true;
  private readonly get: (e: Event) => unknown;

  constructor(
    private readonly index: Map<string, Record<string, unknown>>,
    private readonly c: EnrichConfig,
  ) {
    this.get = fieldReader(c.on);
  }

  /** The row's fields for `e`, or undefined when it has no row (see Operator.addedFields). */
  addedFields(e: Event): Readonly<Record<string, unknown>> | undefined {
    const v = this.get(e);
    const k = typeof v === 'string' ? v : lookupKey(v);
    return k === undefined ? undefined : this.index.get(k);
  }

  /** For a fused chain (Operator.step): the same as process on a batch of one. */
  step(e: Event, out: Collector, owned: boolean): Event | undefined {
    const fields = this.addedFields(e);
    if (fields !== undefined) return owned ? Object.assign(e, fields) : Object.assign({}, e, fields);
    return this.missing(e, this.get(e), out);
  }

  process(batch: readonly Event[], out: Collector, _input?: string, owned?: boolean): void {
    const { index, get } = this;
    // Owned events (Operator.process) get the row's fields in place: no copy per event; while
    // every event has a row, the output is the batch itself, handed on whole (emitAll).
    const inPlace = owned === true;
    let whole = inPlace && out.emitAll !== undefined;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      const v = get(e);
      const k = typeof v === 'string' ? v : lookupKey(v);
      const fields = k === undefined ? undefined : index.get(k);
      if (fields !== undefined) {
        if (!inPlace) out.emit(Object.assign({}, e, fields));
        else if (whole) Object.assign(e, fields);
        else out.emit(Object.assign(e, fields));
        continue;
      }
      if (whole) {
        whole = false;
        for (let p = 0; p < i; p++) out.emit(batch[p]!);
      }
      const passed = this.missing(e, v, out);
      if (passed !== undefined) out.emit(passed);
    }
    if (whole) out.emitAll!(batch);
  }

  /** An event without a row: passed on as it is (returned), dropped or an error. */
  private missing(e: Event, v: unknown, out: Collector): Event | undefined {
    switch (this.c.onMissing) {
      case 'drop':
        out.drop(e);
        return undefined;
      case 'pass':
        return e;
      case 'error':
        out.error(e, new EnrichMissError(`no row with ${this.c.key} = ${JSON.stringify(v)} (from ${this.c.on})`));
        return undefined;
      default: {
        const never: never = this.c.onMissing;
        throw new Error(`unknown onMissing ${String(never)}`);
      }
    }
  }
}
