import { compileExpression, type CompiledExpression, type Event } from '@sluice/shared';
import { isEventError } from '../sdk/expression-errors.js';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { MapConfig } from './definition.js';
import { removeNested, setNested } from './nested-fields.js';

interface SetStep {
  name: string;
  /** Split path for a dotted name; undefined for a top-level field. */
  parts: string[] | undefined;
  fn: CompiledExpression;
}

export const mapOperator: OperatorFactory<MapConfig> = (ctx) => {
  const env = { params: ctx.params, now: ctx.now };
  const steps: SetStep[] = Object.entries(ctx.config.set).map(([name, source]) => ({
    name,
    parts: name.includes('.') ? name.split('.') : undefined,
    fn: compileExpression(source, env),
  }));
  return new MapOperator(steps, ctx.config.remove);
};

class MapOperator implements Operator {
  private readonly removeTop: Set<string>;
  private readonly removeDeep: string[][];

  constructor(
    private readonly steps: readonly SetStep[],
    remove: readonly string[],
  ) {
    this.removeTop = new Set(remove.filter((r) => !r.includes('.')));
    this.removeDeep = remove.filter((r) => r.includes('.')).map((r) => r.split('.'));
  }

  process(batch: readonly Event[], out: Collector): void {
    const { steps } = this;
    const removing = this.removeTop.size > 0 || this.removeDeep.length > 0;
    for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      // One copy per event (Object.assign: ~4x faster than spread here), then assignments.
      // Expressions read the copy, so later ones see earlier results.
      let o = Object.assign({}, e) as Record<string, unknown>;
      try {
        for (let i = 0; i < steps.length; i++) {
          const s = steps[i]!;
          const v = s.fn(o);
          if (s.parts) setNested(o, s.parts, v);
          else o[s.name] = v;
        }
      } catch (err) {
        if (!isEventError(err)) throw err;
        out.error(e, err);
        continue;
      }
      if (removing) o = this.remove(o);
      out.emit(o as Event);
    }
  }

  /**
   * Removed fields are left out of a second copy rather than deleted: `delete` turns the object
   * into a slow dictionary for every node downstream. Symbol metadata (event time) is kept.
   */
  private remove(o: Record<string, unknown>): Record<string, unknown> {
    let r = o;
    if (this.removeTop.size > 0) {
      r = {};
      for (const k of Object.keys(o)) if (!this.removeTop.has(k)) r[k] = o[k];
      for (const s of Object.getOwnPropertySymbols(o)) (r as Record<symbol, unknown>)[s] = (o as Record<symbol, unknown>)[s];
    }
    for (const parts of this.removeDeep) removeNested(r, parts);
    return r;
  }
}
