import { durationSchema, type EventSchema, type FieldType, parseTime, TIME_HINT } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';

export const SCENARIOS = ['orders', 'transactions', 'sensors', 'ad-events'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Default start of event time: fixed, so runs are reproducible. */
export const DEFAULT_START_TIME = '2026-01-01T00:00:00Z';

/** The exact fields of each scenario's events (documented in README.md). */
export const SCENARIO_FIELDS: Record<Scenario, Record<string, FieldType>> = {
  orders: {
    order_id: 'number',
    sku: 'string',
    category: 'string',
    quantity: 'number',
    unit_price: 'number',
    customer_id: 'string',
    ts: 'number',
  },
  transactions: { tx_id: 'number', card_id: 'string', amount: 'number', merchant: 'string', country: 'string', ts: 'number' },
  sensors: { device_id: 'string', temperature: 'number', vibration: 'number', pressure: 'number', ts: 'number' },
  'ad-events': {
    user_id: 'string',
    page_id: 'string',
    ad_id: 'string',
    ad_type: 'string',
    event_type: 'string',
    event_time: 'number',
    ip_address: 'string',
  },
};

/** Epoch ms of a `startTime` value, or undefined when it is not a time. */
export const startTimeMs = (v: number | string): number | undefined => parseTime(v);

export const sourceGeneratorConfig = z.object({
  scenario: z.enum(SCENARIOS).describe('Which events: orders, transactions, sensors or ad-events (Yahoo Streaming Benchmark)'),
  rate: z.number().min(0).default(0).describe('Events per second; 0: as fast as possible'),
  count: z.int().min(0).optional().describe('Stop after this many events (a bounded source); omitted: never stop'),
  seed: z.int().optional().describe('Same seed, same events; omitted: derived from the node id'),
  startTime: z
    .union([z.number(), z.string()])
    .refine((v) => startTimeMs(v) !== undefined, { error: `startTime is not a time: ${TIME_HINT}` })
    .default(DEFAULT_START_TIME)
    .describe('Event time of the first event (epoch ms or ISO 8601; no offset means UTC)'),
  maxOutOfOrderness: durationSchema.default('0s').describe('Subtracted from the latest event time to give the watermark'),
});

export type SourceGeneratorConfig = z.output<typeof sourceGeneratorConfig>;

export const sourceGeneratorDefinition = defineNode<SourceGeneratorConfig>({
  type: 'source.generator',
  category: 'source',
  title: 'Generator',
  summary: 'Synthetic orders, card transactions, sensor readings or ad events.',
  docs:
    'Generates realistic synthetic events for demos and benchmarks: `orders` (a shop), ' +
    '`transactions` (card payments), `sensors` (machine telemetry) or `ad-events` (the Yahoo ' +
    'Streaming Benchmark: 100 campaigns of 10 ads). The same seed gives the same events. Event ' +
    'time starts at `startTime` (2026-01-01T00:00:00Z) and advances 1000/rate ms per event ' +
    '(1 ms when rate is 0), in order, whatever the wall clock does. With `count` the source ' +
    'ends after that many events; without it, it runs until stopped.',
  example: { scenario: 'orders', rate: 100, seed: 1, startTime: DEFAULT_START_TIME, maxOutOfOrderness: '0s' },
  config: sourceGeneratorConfig,
  inputs: [],
  outputs: () => [{ name: 'out', label: 'Events' }],
  inferSchema: (c) => ({ out: { fields: { ...SCENARIO_FIELDS[c.scenario] }, open: false } satisfies EventSchema }),
  bounded: (c) => c.count !== undefined,
  split: {
    how: 'by sequence number: blocks of 1,024 events dealt round robin, block k to partition k mod N (each partition paces rate/N)',
    guarantee:
      'exactly the events of parallelism 1, same fields and times, each once; each partition in time order (the watermark is the min over partitions)',
  },
});
