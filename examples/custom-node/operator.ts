/** example.dedupe at run time: one declared keyed state, which the runtime snapshots and restores. */
import type { Operator, OperatorFactory } from '@sluice/nodes/sdk';
import { type Event, fieldReader } from '@sluice/shared';
import type { DedupeConfig } from './definition.js';

export const dedupeOperator: OperatorFactory<DedupeConfig> = (ctx) => {
  const read = fieldReader(ctx.config.field);
  // Every value seen so far (a real node would bound it, e.g. by time): a checkpoint keeps it.
  const seen = ctx.state.keyed<true>('seen');
  return {
    process(batch: readonly Event[], out) {
      for (const e of batch) {
        const key = JSON.stringify(read(e));
        if (seen.has(key)) out.drop(e);
        else {
          seen.set(key, true);
          out.emit(e);
        }
      }
    },
  } satisfies Operator;
};
