/**
 * Runs one operator over input steps the way the runtime does (process, then onWatermark),
 * collecting outputs per port and counters. For unit tests and golden cases.
 */
import { EVENT_TIME, type Event, SOURCE_WATERMARK } from '@sluice/shared';
import { errorEvent } from '../error-event.js';
import type { Collector, OperatorContext } from '../operator.js';
import { MemoryStateRegistry } from '../state.js';

export interface OperatorRun {
  outputs: Record<string, Event[]>;
  counters: { errors: number; late: number; dropped: number };
}

export interface TestContextOptions<C> {
  nodeId?: string;
  config: C;
  params?: Record<string, string | number | boolean>;
  connected?: readonly string[];
  baseDir?: string;
  now?: () => number;
  /** Secret values by name. */
  secrets?: Record<string, string>;
}

export function testContext<C>(o: TestContextOptions<C>): OperatorContext<C> & { stateRegistry: MemoryStateRegistry } {
  const stateRegistry = new MemoryStateRegistry();
  const connected = o.connected;
  return {
    nodeId: o.nodeId ?? 'node',
    config: o.config,
    params: o.params ?? {},
    resolvePath: (p) => (p.startsWith('/') || !o.baseDir ? p : `${o.baseDir}/${p}`),
    isConnected: (port) => (connected ? connected.includes(port) : true),
    state: stateRegistry,
    stateRegistry,
    now: o.now ?? Date.now,
    secret: (name) => {
      const v = o.secrets?.[name];
      if (v === undefined) throw new Error(`secret ${name} is not set`);
      return v;
    },
  };
}

/** A collector that records per port, as the runtime routes: error and late go to their ports when connected. */
export function recordingCollector(nodeId: string, isConnected: (port: string) => boolean): Collector & OperatorRun {
  const outputs: Record<string, Event[]> = {};
  const counters = { errors: 0, late: 0, dropped: 0 };
  const push = (port: string, e: Event) => {
    (outputs[port] ??= []).push(e);
  };
  return {
    outputs,
    counters,
    emit: (e) => push('out', e),
    emitTo: (port, e) => push(port, e),
    error: (e, err) => {
      counters.errors++;
      if (isConnected('error')) push('error', errorEvent(nodeId, e, err));
    },
    late: (e) => {
      counters.late++;
      if (isConnected('late')) push('late', e);
    },
    drop: () => {
      counters.dropped++;
    },
  };
}

/** Stamp event time (and SOURCE_WATERMARK when behind) as a source would. */
export class SourceStamper {
  private maxTime = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly timeField: string,
    private readonly maxOutOfOrderness: number,
  ) {}

  get watermark(): number {
    return this.maxTime - this.maxOutOfOrderness;
  }

  stamp(raw: Record<string, unknown>): Event {
    const t = toEpochMs(raw[this.timeField]);
    const wm = this.watermark;
    if (t > this.maxTime) this.maxTime = t;
    const e: Record<string | symbol, unknown> = { ...raw, [EVENT_TIME]: t };
    if (t < wm) e[SOURCE_WATERMARK] = wm;
    return e as Event;
  }
}

export function toEpochMs(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Date.parse(v);
  return 0;
}
