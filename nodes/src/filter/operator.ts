import { compileExpression, type Event } from '@sluice/shared';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { FilterConfig } from './definition.js';
import { isEventError, NotBooleanError } from '../sdk/expression-errors.js';

export const filterOperator: OperatorFactory<FilterConfig> = (ctx) => {
  const test = compileExpression(ctx.config.expression, { params: ctx.params, now: ctx.now });
  /** The event when it passes; undefined when it does not (false, null) or failed (reported). */
  const step = (e: Event, out: Collector): Event | undefined => {
    let v: unknown;
    try {
      v = test(e);
    } catch (err) {
      if (!isEventError(err)) throw err;
      out.error(e, err);
      return undefined;
    }
    if (v === true) return e;
    // false and null (a missing field) drop quietly: filtering is not an error or a drop.
    if (v !== false && v !== null && v !== undefined) out.error(e, new NotBooleanError('the filter expression', v));
    return undefined;
  };
  return {
    passesOwnership: true,
    step,
    process(batch: readonly Event[], out: Collector): void {
      for (let i = 0; i < batch.length; i++) {
        const e = step(batch[i]!, out);
        if (e !== undefined) out.emit(e);
      }
    },
  } satisfies Operator;
};
