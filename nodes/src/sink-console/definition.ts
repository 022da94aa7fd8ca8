import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';

export const sinkConsoleConfig = z.object({
  limit: z.int().min(0).optional().describe('Print at most this many events (the rest are counted, not printed); omitted: all'),
  prefix: z.string().optional().describe('Text printed before each line, e.g. "orders: "'),
});

export type SinkConsoleConfig = z.output<typeof sinkConsoleConfig>;

export const sinkConsoleDefinition = defineNode<SinkConsoleConfig>({
  type: 'sink.console',
  category: 'sink',
  title: 'Console',
  summary: 'Prints events as JSON lines.',
  docs:
    'Prints each event as one JSON line (its fields only), optionally after a `prefix`, to the ' +
    "process's standard output or, in the server, to the editor's console panel. `limit` " +
    'stops printing after that many events (they are still counted as received).',
  example: { prefix: 'out: ', limit: 100 },
  config: sinkConsoleConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
});
