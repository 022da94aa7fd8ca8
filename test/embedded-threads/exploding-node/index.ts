/** test.explode: keyed by `k`, passes events on, and throws (a bug, not a bad event) on one with `boom`. */
import type { Operator, SluicePlugin } from '@sluice/nodes/sdk';
import { z } from '@sluice/nodes/sdk';
import { UNKNOWN_SCHEMA } from '@sluice/shared';

const plugin: SluicePlugin = (sluice) => {
  sluice.nodeType({
    definition: {
      type: 'test.explode',
      category: 'transform',
      title: 'Explode',
      summary: 'Throws on an event with boom.',
      docs: 'Passes events on; throws on an event whose `boom` is true.',
      example: {},
      config: z.object({}),
      inputs: [{ name: 'in' }],
      outputs: () => [{ name: 'out' }],
      keyBy: () => ['k'],
      fieldUse: () => ({ reads: ['k', 'boom'], forwards: true }),
      inferSchema: (_c, ctx) => ({ out: ctx.inputs.in ?? UNKNOWN_SCHEMA }),
    },
    operator: {
      kind: 'operator',
      create: () =>
        ({
          process(batch, out) {
            for (const e of batch) {
              if (e.boom === true) throw new Error(`exploded on key ${String(e.k)}`);
              out.emit(e);
            }
          },
        }) satisfies Operator,
    },
  });
};

export default plugin;
