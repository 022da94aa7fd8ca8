/**
 * One operator instance (one node in one partition) and the collector it emits into. Counting,
 * batch timing, error/late routing and end-to-end latency all happen here, so operators stay
 * clean: they only process and emit.
 */
import { type Event, INGEST_TIME } from '@sluice/shared';
import { type Collector, errorEvent, MemoryStateRegistry, type Operator } from '@sluice/nodes/sdk';
import type { Histogram } from '../metrics/histogram.js';
import type { NodeCounters } from '../metrics/node-counters.js';
import type { PlanNode } from '../compile/plan.js';
import { EventTooDeepError, tooDeepFields } from './event-depth.js';
import type { FusedChain } from './fused-chain.js';
import { NodeFailure } from './node-errors.js';

/** `owned`: the events are handed over (see Operator.process): nothing else holds them. */
export type RouteFn = (node: PlanNode, port: string, events: Event[], owned: boolean) => void;

/** Ports whose events are counted by their own counters, not as `out`. */
const SIDE_PORTS = new Set(['error', 'late']);
/**
 * Sample one event in this many for end-to-end latency (recording every event costs), in
 * batches of at least SAMPLE_FROM events; smaller batches (window results, say) are recorded
 * whole, so a low-volume sink still gets a usable p99.
 */
const LATENCY_SAMPLE = 8;
const SAMPLE_FROM = 64;

export class NodeInstance implements Collector {
  readonly state: MemoryStateRegistry;
  private outBuf: Event[] = [];
  /** A whole batch emitted before anything else (emitAll): sent on as it is, outBuf after it. */
  private whole: readonly Event[] | undefined;
  private readonly portBufs = new Map<string, Event[]>();
  private readonly outConnected: boolean;
  /** Whether what the operator emits now is owned (Operator.passesOwnership), for flush. */
  private ownedOut = false;
  /** The fused chain this node heads (chain-plan.ts), run instead of the node while nothing watches it. */
  chain: FusedChain | undefined;

  constructor(
    readonly node: PlanNode,
    readonly counters: NodeCounters,
    private readonly route: RouteFn,
    readonly latency: Histogram | undefined,
    public op: Operator | undefined = undefined,
    /** Remember changed keys (BullMQ commits keyed state incrementally). */
    trackState = false,
  ) {
    this.state = new MemoryStateRegistry({ track: trackState });
    this.outConnected = node.connectedOutputs.has('out');
  }

  emit(event: Event): void {
    this.outBuf.push(event);
  }

  emitAll(events: readonly Event[]): void {
    if (this.whole === undefined && this.outBuf.length === 0) this.whole = events;
    else for (let i = 0; i < events.length; i++) this.outBuf.push(events[i]!);
  }

  emitTo(port: string, event: Event): void {
    if (port === 'out') this.outBuf.push(event);
    else this.buffer(port).push(event);
  }

  error(event: Event, error: unknown): void {
    // A source's bad record (the runners pass them here) was read but never counted in:
    // count it, so in = out + errors holds for sources as for every other node.
    if (this.node.isSource) this.counters.in++;
    this.counters.errors++;
    this.counters.samples.record(error);
    if (this.node.connectedOutputs.has('error')) this.buffer('error').push(errorEvent(this.node.id, event, error));
  }

  late(event: Event): void {
    this.counters.late++;
    if (this.node.connectedOutputs.has('late')) this.buffer('late').push(event);
  }

  drop(_event: Event): void {
    this.counters.dropped++;
  }

  process(batch: Event[], port: string, owned = false): void {
    const chain = this.chain;
    if (chain?.usable()) {
      chain.run(batch, owned);
      return;
    }
    const c = this.counters;
    const op = this.op!;
    // A window's partial rows (docs/combiner.md) count the events they fold: users watch `in`.
    c.in += op.countIn === undefined ? batch.length : op.countIn(batch);
    c.batches++;
    this.ownedOut = owned && op.passesOwnership === true;
    const t0 = performance.now();
    try {
      op.process(batch, this, port, owned);
    } catch (err) {
      throw new NodeFailure(this.node.id, err);
    }
    const dt = performance.now() - t0;
    c.batchTimes.record(dt);
    c.busyMs += dt;
    if (this.latency) this.recordLatency(batch);
    this.flush();
  }

  onWatermark(watermark: number): void {
    if (!this.op?.onWatermark) return;
    this.ownedOut = this.op.passesOwnership === true;
    try {
      this.op.onWatermark(watermark, this);
    } catch (err) {
      throw new NodeFailure(this.node.id, err);
    }
    this.flush();
  }

  /**
   * A source's batch: counted in and out, then routed. An event nested past MAX_EVENT_DEPTH is
   * the source's error instead (unless the source says its events are `shallow`).
   */
  emitSourceBatch(events: Event[], shallow = false, owned = false): void {
    let ok = events;
    if (!shallow) {
      for (let i = 0; i < events.length; i++) {
        if (tooDeepFields(events[i]!) === undefined) continue;
        ok = this.screenDeep(events, i);
        break;
      }
    }
    this.counters.in += ok.length;
    this.counters.out += ok.length;
    if (this.outConnected && ok.length > 0) this.route(this.node, 'out', ok, owned);
  }

  /** The events from `first` on without the too-deep ones, which go to the error port. */
  private screenDeep(events: Event[], first: number): Event[] {
    const ok = events.slice(0, first);
    for (let i = first; i < events.length; i++) {
      const e = events[i]!;
      const deep = tooDeepFields(e);
      if (deep === undefined) {
        ok.push(e);
        continue;
      }
      // The error port's copy leaves the deep values out: a sink could not write them either.
      const copy: Record<string | symbol, unknown> = { ...e };
      for (const f of deep) copy[f] = null;
      this.error(copy as Event, new EventTooDeepError(deep));
    }
    this.flush();
    return ok;
  }

  /** What a fused chain's last step passed (counted by the chain): routed on. */
  sendOn(events: Event[], owned: boolean): void {
    if (this.outConnected && events.length > 0) this.route(this.node, 'out', events, owned);
  }

  /** After a fused chain fed this node event by event: send on what it emitted. */
  flushAfter(owned: boolean): void {
    this.ownedOut = owned && this.op!.passesOwnership === true;
    this.flush();
  }

  /** Send what the operator emitted downstream. */
  flush(): void {
    if (this.whole !== undefined) {
      const whole = this.whole as Event[];
      this.whole = undefined;
      if (this.outBuf.length > 0) this.outBuf = whole.concat(this.outBuf);
      else if (whole.length > 0) {
        this.counters.out += whole.length;
        if (this.outConnected) this.route(this.node, 'out', whole, this.ownedOut);
      }
    }
    if (this.outBuf.length > 0) {
      const out = this.outBuf;
      this.outBuf = [];
      this.counters.out += out.length;
      if (this.outConnected) this.route(this.node, 'out', out, this.ownedOut);
    }
    if (this.portBufs.size === 0) return;
    for (const [port, events] of this.portBufs) {
      if (events.length === 0) continue;
      this.portBufs.set(port, []);
      if (!SIDE_PORTS.has(port)) this.counters.out += events.length;
      // Side ports carry fresh error events or input events emitted once: as owned as `out`.
      if (this.node.connectedOutputs.has(port)) this.route(this.node, port, events, this.ownedOut);
    }
  }

  private buffer(port: string): Event[] {
    let b = this.portBufs.get(port);
    if (!b) this.portBufs.set(port, (b = []));
    return b;
  }

  private recordLatency(batch: readonly Event[]): void {
    const now = Date.now();
    const step = batch.length < SAMPLE_FROM ? 1 : LATENCY_SAMPLE;
    for (let i = 0; i < batch.length; i += step) {
      const t = batch[i]![INGEST_TIME];
      if (t !== undefined) this.latency!.record(Math.max(0, now - t));
    }
  }
}
