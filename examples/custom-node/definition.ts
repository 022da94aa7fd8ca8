/**
 * example.dedupe: the first event of each value of `field` passes, repeats are dropped. Browser-
 * safe, like every definition: schema, ports, what it reads, how it is keyed.
 */
import { type NodeDefinition, z } from '@sluice/nodes/sdk';
import { UNKNOWN_SCHEMA } from '@sluice/shared';

export const dedupeConfig = z.object({
  field: z.string().min(1).describe('The field (dots for nested) whose value makes an event a repeat'),
});

export type DedupeConfig = z.output<typeof dedupeConfig>;

export const dedupeDefinition: NodeDefinition<DedupeConfig> = {
  type: 'example.dedupe',
  category: 'transform',
  title: 'Dedupe',
  summary: 'Passes the first event of each value of a field; drops the repeats.',
  docs: 'Passes an event whose `field` value was not seen before and drops (counts as dropped) every later one with the same value. A missing field is one value (null).',
  example: { field: 'order_id' },
  config: dedupeConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [{ name: 'out', label: 'First of each' }],
  // State keyed by the field: the planner partitions by it, so one value's events meet in one place.
  keyBy: (c) => [c.field],
  // It reads only the field's top level, and passes events on (what downstream reads counts too).
  fieldUse: (c) => ({ reads: [c.field.split('.')[0]!], forwards: true }),
  inferSchema: (_c, ctx) => ({ out: ctx.inputs.in ?? UNKNOWN_SCHEMA }),
};
