import { compileMask } from '../sdk/mask-values.js';
import type { Operator, OperatorFactory } from '../sdk/operator.js';
import type { MaskConfig } from './definition.js';

export const maskOperator: OperatorFactory<MaskConfig> = (ctx) => {
  // An hmac rule's secret is read here, at start: an unset one fails the deploy, naming it.
  const mask = compileMask(ctx.config.fields, (name) => ctx.secret(name));
  const op: Operator = {
    process(batch, out) {
      for (let i = 0; i < batch.length; i++) out.emit(mask(batch[i]!));
    },
  };
  return op;
};
