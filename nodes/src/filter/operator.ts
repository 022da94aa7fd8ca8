import { compileExpression, type Event } from '@sluice/shared';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { FilterConfig } from './definition.js';
import { isEventError, NotBooleanError } from '../sdk/expression-errors.js';

export const filterOperator: OperatorFactory<FilterConfig> = (ctx) => {
  const test = compileExpression(ctx.config.expression, { params: ctx.params, now: ctx.now });
  return {
    passesOwnership: true,
    process(batch: readonly Event[], out: Collector): void {
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        let v: unknown;
        try {
          v = test(e);
        } catch (err) {
          if (!isEventError(err)) throw err;
          out.error(e, err);
          continue;
        }
        if (v === true) out.emit(e);
        // false and null (a missing field) drop quietly: filtering is not an error or a drop.
        else if (v !== false && v !== null && v !== undefined) out.error(e, new NotBooleanError('the filter expression', v));
      }
    },
  } satisfies Operator;
};
