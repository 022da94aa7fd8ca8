/**
 * A small node registry for the validator's tests, independent of @sluice/nodes (shared never
 * imports it): a source, a filter with an expression and durations, a router with one output
 * port per route, a two-input join, a transform that infers nothing, and a sink.
 */
import { z } from 'zod';
import { durationSchema, parseDuration } from '../duration.js';
import { type EventSchema, schemaOf } from '../schema/event-schema.js';
import type { PipelineDocument } from './document.js';
import type { NodeTypeInfo, NodeTypeRegistry } from './node-type.js';

const define = <C>(info: Omit<NodeTypeInfo<C>, 'title' | 'summary' | 'docs'>): NodeTypeInfo =>
  ({ title: info.type, summary: info.type, docs: info.type, ...info }) as unknown as NodeTypeInfo;

const fieldType = z.enum(['number', 'string', 'boolean', 'null', 'object', 'array', 'any']);

const source = define({
  type: 'test.source',
  category: 'source',
  example: { fields: { amount: 'number' as const } },
  config: z.object({ fields: z.record(z.string(), fieldType).default({}), rate: z.number().positive().optional() }),
  inputs: [],
  outputs: () => [{ name: 'out' }],
  inferSchema: (c) => ({ out: schemaOf(c.fields) }),
});

const filter = define({
  type: 'test.filter',
  category: 'transform',
  example: { expression: 'true', within: '0s' },
  config: z.object({
    expression: z.string(),
    within: durationSchema.default('0s'),
    timeout: durationSchema.optional(),
    /** Adds a string field `tag` to every event it passes: lets tests see inference flow. */
    tag: z.string().optional(),
  }),
  inputs: [{ name: 'in' }],
  outputs: () => [{ name: 'out' }, { name: 'error' }],
  expressions: (c) => [{ path: 'config.expression', source: c.expression, role: 'predicate' }],
  check: (c) =>
    c.timeout !== undefined && parseDuration(c.timeout)! < parseDuration(c.within)!
      ? [{ path: 'config.timeout', message: 'must not be shorter than within', code: 'timeout-too-short' }]
      : [],
  inferSchema: (c, { inputs }) => {
    const input = inputs.in;
    const out: EventSchema | undefined = input && c.tag !== undefined ? { ...input, fields: { ...input.fields, tag: 'string' } } : input;
    return { out, error: input };
  },
});

const split = define({
  type: 'test.split',
  category: 'route',
  example: { routes: [{ port: 'yes', when: 'true' }] },
  config: z.object({ routes: z.array(z.object({ port: z.string().regex(/^[a-z]+$/), when: z.string() })).min(1) }),
  inputs: [{ name: 'in' }],
  outputs: (c) => [...c.routes.map((r) => ({ name: r.port })), { name: 'default' }],
  expressions: (c) => c.routes.map((r, i) => ({ path: `config.routes[${i}].when`, source: r.when, role: 'predicate' as const })),
  inferSchema: (c, { inputs }) => Object.fromEntries([...c.routes.map((r) => r.port), 'default'].map((p) => [p, inputs.in])),
});

const join = define({
  type: 'test.join',
  category: 'transform',
  example: { on: 'id' },
  config: z.object({ on: z.string() }),
  inputs: [{ name: 'left' }, { name: 'right' }, { name: 'side', optional: true }],
  outputs: () => [{ name: 'out' }],
});

const opaque = define({
  type: 'test.opaque',
  category: 'transform',
  example: {},
  config: z.object({}),
  inputs: [{ name: 'in' }],
  outputs: () => [{ name: 'out' }],
});

const sink = define({
  type: 'test.sink',
  category: 'sink',
  example: { path: 'out.jsonl' },
  config: z.object({ path: z.string() }),
  inputs: [{ name: 'in' }],
  outputs: () => [],
});

const TYPES = new Map([source, filter, split, join, opaque, sink].map((d) => [d.type, d]));

export const fakeRegistry: NodeTypeRegistry = {
  get: (type) => TYPES.get(type),
  types: () => [...TYPES.keys()],
};

export type TestDoc = Record<string, unknown> & {
  params: Record<string, Record<string, unknown>>;
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
};

/**
 * A valid document: src -> big (filter) -> route (split) -eu-> out, -default-> rest.
 * Each call returns a fresh copy the test may change.
 */
export function validDoc(): TestDoc {
  return {
    format: 'sluice/v1',
    id: 'orders-by-country',
    params: { threshold: { type: 'number', value: 10, min: 0, max: 100 } },
    nodes: [
      { id: 'src', type: 'test.source', position: { x: 0, y: 0 }, config: { fields: { amount: 'number', country: 'string' } } },
      { id: 'big', type: 'test.filter', config: { expression: 'amount > params.threshold', within: '5s' } },
      { id: 'route', type: 'test.split', config: { routes: [{ port: 'eu', when: 'country == "FR"' }] } },
      { id: 'out', type: 'test.sink', config: { path: 'eu.jsonl' } },
      { id: 'rest', type: 'test.sink', config: { path: 'rest.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'big' },
      { id: 'e2', source: 'big', target: 'route' },
      { id: 'e3', source: 'route', target: 'out', sourcePort: 'eu' },
      { id: 'e4', source: 'route', target: 'rest', sourcePort: 'default' },
    ],
  } satisfies TestDoc & Partial<PipelineDocument>;
}

/** The node with this id in a test document (to change its config in place). */
export function node(doc: TestDoc, id: string): Record<string, unknown> & { config: Record<string, unknown> } {
  return doc.nodes.find((n) => n.id === id) as Record<string, unknown> & { config: Record<string, unknown> };
}
