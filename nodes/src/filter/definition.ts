import { passThroughUse, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';
import { errorPortSchema } from '../sdk/error-event.js';

export const filterConfig = z.object({
  expression: z
    .string()
    .min(1)
    .meta({ format: 'sluice-expression', description: 'Events for which this is true pass; false or null drop them' }),
});

export type FilterConfig = z.output<typeof filterConfig>;

export const filterDefinition = defineNode<FilterConfig>({
  type: 'filter',
  category: 'transform',
  title: 'Filter',
  summary: 'Keeps the events for which an expression is true.',
  docs:
    'Passes each event for which `expression` is `true`, unchanged. `false` and `null` (for ' +
    'example a comparison with a missing field) drop the event quietly. Any other result (a ' +
    'number, a string) or an evaluation error (e.g. `amount * 2` on a text amount) sends the ' +
    'event to the `error` port and counts it as an error of this node.',
  // The fields of the default generator (orders): a new user's first connection shows no error.
  example: { expression: 'quantity >= 2 && category != "books"' },
  config: filterConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'Passed' },
    { name: 'error', label: 'Errors', description: 'Events whose expression failed or was not a boolean' },
  ],
  expressions: (c) => [{ path: 'config.expression', source: c.expression, role: 'predicate' }],
  fieldUse: (c) => passThroughUse([c.expression]),
  inferSchema: (_c, ctx) => {
    const input = ctx.inputs.in ?? UNKNOWN_SCHEMA;
    return { out: input, error: errorPortSchema(input) };
  },
});
