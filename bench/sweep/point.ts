/**
 * One point of the cost-growth sweep (bench/sweep/sweep.ts): a generated pipeline (source ->
 * `chain` maps -> keyed tumbling count -> sink) on the embedded runner, over generated events.
 * The sweep runs each point in its own process, so the peak RSS it reports is that point's.
 *
 * The events: event i has key (customer_id) `i % keys` and event time i ms; the run spans
 * `windows` tumbling windows of ceil(events / windows) ms, so each window holds min(keys, its
 * events) distinct keys at once, which is what makes the key count cost memory.
 */
import { EVENT_TIME, type Event } from '@sluice/shared';
import type { Operator, SourceBatch, SourceOperator } from '@sluice/nodes/sdk';
import { compilePipeline, EmbeddedRunner } from '@sluice/engine';

export interface PointSpec {
  events: number;
  keys: number;
  /** Map nodes between the source and the window. */
  chain: number;
  partitions: number;
  /** Tumbling windows the run spans (each holds min(keys, its events) distinct keys). */
  windows: number;
  /** sluice: the pipeline on the embedded runner; plain: a plain JS Map per window on the same events. */
  contender: 'sluice' | 'plain';
}

export interface PointResult extends PointSpec {
  seconds: number;
  eventsPerSecond: number;
  /** Window results the sink received. */
  results: number;
  /** Window results the events must make (computed from the spec, not from the run). */
  expectedResults: number;
  peakRssMb: number;
  /**
   * CPU time the process used for the run (user + system, all its threads): on a machine shared
   * with other jobs, events per CPU second move far less than events per second of wall time.
   */
  cpuSeconds: number;
  /** RSS when the measured run started (the runtime and code already loaded, after a warm-up). */
  rssBeforeMb: number;
}

const SOURCE_ID = 'events';
const WINDOW_ID = 'per_key';
const SINK_ID = 'results';

export function windowSizeMs(spec: Pick<PointSpec, 'events' | 'windows'>): number {
  return Math.ceil(spec.events / spec.windows);
}

/** Distinct (window, key) pairs: window w holds events [w*size, (w+1)*size), keys i % keys. */
export function expectedResults(spec: Pick<PointSpec, 'events' | 'keys' | 'windows'>): number {
  const { events, keys } = spec;
  const size = windowSizeMs(spec);
  let n = 0;
  for (let start = 0; start < events; start += size) n += Math.min(keys, Math.min(size, events - start));
  return n;
}

/**
 * The pipeline document. The source node is the generator's `orders` scenario, so the graph
 * checks against its fields; its events are replaced by sweepSource's (customer_id, quantity).
 * Each map adds one to `quantity` (a real computation, so no map is a no-op).
 */
export function sweepDocument(spec: PointSpec): unknown {
  const nodes: object[] = [
    { id: SOURCE_ID, type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', count: spec.events, seed: 1 } },
  ];
  const ids = [SOURCE_ID];
  for (let i = 1; i <= spec.chain; i++) {
    const id = `map_${i}`;
    nodes.push({ id, type: 'map', position: { x: 200 * i, y: 0 }, config: { set: { quantity: 'quantity + 1' } } });
    ids.push(id);
  }
  nodes.push({
    id: WINDOW_ID,
    type: 'window',
    position: { x: 200 * (spec.chain + 1), y: 0 },
    config: { type: 'tumbling', size: `${windowSizeMs(spec)}ms`, keyBy: ['customer_id'], aggregates: [{ as: 'n', op: 'count' }] },
  });
  ids.push(WINDOW_ID);
  nodes.push({ id: SINK_ID, type: 'sink.console', position: { x: 200 * (spec.chain + 2), y: 0 }, config: {} });
  ids.push(SINK_ID);
  const edges = ids.slice(1).map((target, i) => ({ id: `e${i}`, source: ids[i]!, target }));
  return { format: 'sluice/v1', id: 'sweep', name: 'Cost-growth sweep', nodes, edges };
}

/** Events made as they are polled (none kept), in event-time order: the watermark is the last time. */
export function sweepSource(events: number, keys: number): SourceOperator {
  let i = 0;
  return {
    poll(max) {
      const end = Math.min(i + max, events);
      const batch: Event[] = new Array(end - i);
      for (let j = 0; i < end; i++, j++) batch[j] = { [EVENT_TIME]: i, customer_id: i % keys, quantity: 0 } as Event;
      return { events: batch, watermark: i - 1, done: i >= events, shallow: true, owned: true };
    },
  };
}

/** Counts what reaches the sink (instead of writing it: the sweep measures the pipeline). */
function countingSink(onCount: (n: number) => void): Operator {
  return {
    process(batch) {
      onCount(batch.length);
    },
  };
}

/** Runs the point once; peakRssMb is this process's peak so far (a fresh process per point). */
export async function runPoint(spec: PointSpec): Promise<PointResult> {
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const results = spec.contender === 'plain' ? plainLoop(spec) : await sluicePipeline(spec);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    ...spec,
    seconds,
    eventsPerSecond: spec.events / seconds,
    results,
    expectedResults: expectedResults(spec),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBeforeMb,
  };
}

/** The pipeline on the embedded runner; returns the window results the sink received. */
async function sluicePipeline(spec: PointSpec): Promise<number> {
  const { document, diagnostics } = compilePipeline(sweepDocument(spec));
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  let results = 0;
  const runner = new EmbeddedRunner();
  const handle = await runner.deploy(document, {
    baseDir: process.cwd(),
    partitions: spec.partitions,
    sourceOverrides: { [SOURCE_ID]: () => sweepSource(spec.events, spec.keys) },
    operatorOverrides: { [SINK_ID]: () => countingSink((n) => (results += n)) },
  });
  const result = await handle.done;
  if (result.status !== 'completed') throw new Error(`sweep point ${JSON.stringify(spec)}: run ${result.status}: ${result.error ?? ''}`);
  return results;
}

/**
 * The same work in plain JS, the reference for memory and speed: the same source batches, the
 * `chain` additions done in place, a Map from numeric key to count per open window, each window
 * emitted (counted) when the watermark passes its end.
 */
function plainLoop(spec: PointSpec): number {
  const size = windowSizeMs(spec);
  const source = sweepSource(spec.events, spec.keys);
  const open = new Map<number, Map<number, number>>();
  let results = 0;
  for (;;) {
    const batch = source.poll(1000) as SourceBatch;
    for (const e of batch.events) {
      const r = e as Event & { customer_id: number; quantity: number };
      for (let m = 0; m < spec.chain; m++) r.quantity += 1;
      const start = r[EVENT_TIME]! - (r[EVENT_TIME]! % size);
      let w = open.get(start);
      if (w === undefined) open.set(start, (w = new Map()));
      w.set(r.customer_id, (w.get(r.customer_id) ?? 0) + 1);
    }
    const watermark = batch.done ? Number.POSITIVE_INFINITY : batch.watermark;
    for (const [start, w] of open) {
      if (start + size > watermark) continue;
      results += w.size;
      open.delete(start);
    }
    if (batch.done) return results;
  }
}
