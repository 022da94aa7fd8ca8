import { type ConfigProblem, type EventSchema, type PortSpec, passThroughUse, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { errorPortSchema } from '../sdk/error-event.js';
import { defineNode } from '../sdk/define-node.js';

export const PORT_NAME_RE = /^[a-z][a-z0-9_]*$/;
const RESERVED_PORTS = ['else', 'error'];

export const branchConfig = z.object({
  routes: z
    .array(
      z.object({
        port: z
          .string()
          .regex(PORT_NAME_RE, { error: 'a port name: lowercase letters, digits and _, starting with a letter' })
          .describe('Output port for the events this route takes'),
        expression: z.string().min(1).meta({ format: 'sluice-expression', description: 'Events for which this is true take this route' }),
      }),
    )
    .min(1)
    .describe('Tried in order: an event takes the first route whose expression is true, else the `else` port'),
});

export type BranchConfig = z.output<typeof branchConfig>;

export const branchDefinition = defineNode<BranchConfig>({
  type: 'branch',
  category: 'route',
  title: 'Branch',
  summary: 'Routes each event to the first port whose condition holds, else to `else`.',
  docs:
    'Tries the routes in order and sends each event, unchanged, to the port of the first route ' +
    'whose expression is `true`; an event that matches none goes to `else`. So an event goes to ' +
    'exactly one port (put the most specific route first). `false` and `null` do not match; any ' +
    'other result, or an evaluation error, sends the event to the `error` port.',
  example: {
    routes: [
      { port: 'critical', expression: 'temperature > 90' },
      { port: 'warning', expression: 'temperature > 70' },
    ],
  },
  config: branchConfig,
  inputs: [{ name: 'in' }],
  outputs: (c) => [
    ...c.routes.map((r): PortSpec => ({ name: r.port, label: r.port })),
    { name: 'else', label: 'else', description: 'Events that matched no route' },
    { name: 'error', label: 'Errors', description: 'Events whose expression failed or was not a boolean' },
  ],
  fieldUse: (c) => passThroughUse(c.routes.map((r) => r.expression)),
  expressions: (c) =>
    c.routes.map((r, i) => ({ path: `config.routes[${i}].expression`, source: r.expression, role: 'predicate' as const })),
  check: (c) => {
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    c.routes.forEach((r, i) => {
      const path = `config.routes[${i}].port`;
      if (RESERVED_PORTS.includes(r.port))
        problems.push({ path, message: `"${r.port}" is reserved (every branch has an else and an error port)` });
      else if (seen.has(r.port)) problems.push({ path, message: `port "${r.port}" is used by an earlier route` });
      seen.add(r.port);
    });
    return problems;
  },
  inferSchema: (c, ctx) => {
    const input = ctx.inputs.in ?? UNKNOWN_SCHEMA;
    const out: Record<string, EventSchema | undefined> = { else: input, error: errorPortSchema(input) };
    for (const r of c.routes) out[r.port] = input;
    return out;
  },
});
