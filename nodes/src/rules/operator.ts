import { EVENT_TIME, type Event } from '@sluice/shared';
import { isEventError } from '../sdk/expression-errors.js';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import { type CompiledRow, type CompiledTable, compileTable, RuleCompareError } from './compile-table.js';
import type { RulesConfig } from './definition.js';

/** An event's fault somewhere in the table, with the cell it came from. */
class RuleEventError extends Error {
  /** The cause's code (expr-eval, expr-not-boolean, rules-compare), kept for the error port. */
  readonly code: string;
  constructor(where: string, cause: Error & { code?: unknown }) {
    super(`${where}: ${cause.message}`);
    this.name = 'RuleEventError';
    this.code = typeof cause.code === 'string' ? cause.code : 'rules-eval';
  }
}

function isRuleEventFault(err: unknown): err is Error {
  if (isEventError(err) || err instanceof RuleCompareError) return true;
  return (err as { code?: unknown } | null)?.code === 'expr-not-boolean';
}

export const rulesOperator: OperatorFactory<RulesConfig> = (ctx) => {
  const table = compileTable(ctx.config, ctx.params, ctx.now);
  const c = ctx.config;
  return new RulesOperator(table, c.hitPolicy === 'collect' ? c.collectAs : undefined, c.matchField, ctx.now);
};

class RulesOperator implements Operator {
  /** Where the evaluation is, for the error message (set before each step, no allocation). */
  private where = '';
  private readonly vals: unknown[];

  constructor(
    private readonly table: CompiledTable,
    private readonly collectAs: string | undefined,
    private readonly matchField: string | undefined,
    private readonly now: () => number,
  ) {
    this.vals = new Array<unknown>(table.columnCount).fill(null);
  }

  process(batch: readonly Event[], out: Collector): void {
    for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      let o: Record<string, unknown>;
      try {
        o = this.decide(e);
      } catch (err) {
        if (!isRuleEventFault(err)) throw err;
        out.error(e, new RuleEventError(this.where, err));
        continue;
      }
      out.emit(o as Event);
    }
  }

  private decide(e: Event): Record<string, unknown> {
    const { table, vals } = this;
    for (const col of table.columns) {
      this.where = col.where;
      vals[col.index] = col.fn(e);
    }
    const t = e[EVENT_TIME] ?? this.now();
    const o = Object.assign({}, e) as Record<string, unknown>;
    if (this.collectAs === undefined) {
      const row = this.nextMatch(e, t, 0);
      this.write(o, row ? row.cells : table.defaults, e);
      if (this.matchField !== undefined) o[this.matchField] = row ? row.number : 0;
      return o;
    }
    const matches: Record<string, unknown>[] = [];
    let first: CompiledRow | undefined;
    for (let row = this.nextMatch(e, t, 0); row; row = this.nextMatch(e, t, row.number)) {
      first ??= row;
      const item: Record<string, unknown> = {};
      this.write(item, row.cells, e);
      if (this.matchField !== undefined) item[this.matchField] = row.number;
      matches.push(item);
    }
    // The fields are the first match's outputs (already computed for the list), else the default's.
    if (first) for (const id of table.outputIds) o[id] = matches[0]![id];
    else this.write(o, table.defaults, e);
    if (this.matchField !== undefined) o[this.matchField] = first ? first.number : 0;
    o[this.collectAs] = matches;
    return o;
  }

  /** The first row from index `start` that is in effect at `t` and whose conditions all hold. */
  private nextMatch(e: Event, t: number, start: number): CompiledRow | undefined {
    const { rows } = this.table;
    const vals = this.vals;
    next: for (let r = start; r < rows.length; r++) {
      const row = rows[r]!;
      if (t < row.from || t >= row.until) continue;
      for (const x of row.tests) {
        this.where = x.where;
        if (!x.test(vals, e)) continue next;
      }
      return row;
    }
    return undefined;
  }

  private write(o: Record<string, unknown>, cells: CompiledTable['defaults'], e: Event): void {
    const ids = this.table.outputIds;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      this.where = cell.where;
      o[ids[i]!] = cell.fn(e);
    }
  }
}
