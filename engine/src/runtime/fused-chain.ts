/**
 * Fused chains (docs/execution-model.md, "Fused chains"): a run of one-in, one-out operators
 * without state (filter, map, enrich: Operator.step) inside one task, taken event by event in
 * one loop instead of a batch per node and edge, optionally ending at an operator that takes one
 * event at a time (the window: Operator.accept). Counts per node and per edge stay exact (plain
 * integer increments per event); a node's batch time is its share of the chain's time by the
 * events it took. Nothing here evaluates user text: the steps are the operators' own closures.
 *
 * A chain runs only while nothing watches its inner edges (a data tap, the debugger's edge
 * crossings): the task then runs the nodes one by one, as without fusion.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { type Collector, KeyMemo, type Operator, ROW_NUMBER } from '@sluice/nodes/sdk';
import type { PlanEdge } from '../compile/plan.js';
import type { NodeInstance } from './node-instance.js';
import { NodeFailure } from './node-errors.js';

/** What a chain needs of its runner: whether an edge is watched, and the count of an unwatched crossing. */
export interface ChainOutput {
  /** Something sees the events crossing `edge` (a tap, RunOptions.onEdgeCrossing): no fusion over it. */
  observes(edge: PlanEdge): boolean;
  /** `events` crossed `edge` where nothing watches it: count them as onEdge would. */
  countEdge(edge: PlanEdge, events: number): void;
}

/**
 * Where a chain ends event by event: one node that takes single events (Operator.accept), in
 * this task, or in each partition of the next stage across an exchange the runner makes a direct
 * call (`partition` picks the instance, as the runner's exchange would).
 */
export interface Terminal {
  instances: readonly NodeInstance[];
  partition?: ((e: Event) => number) | undefined;
}

export class FusedChain {
  private readonly ops: Operator[];
  private readonly n: number;
  /** Events each step took and passed on. */
  private readonly ins: Float64Array;
  private readonly outs: Float64Array;
  /** Events each terminal instance took. */
  private readonly tins: Float64Array;
  private readonly terms: readonly NodeInstance[];
  private readonly termOps: Operator[];

  /**
   * `steps`: the chained step nodes in order; `inner`: the edges between them, and from the last
   * step to the terminal when there is one. Without a terminal, what the last step passes goes on
   * through its own route, counted there.
   */
  constructor(
    private readonly steps: readonly NodeInstance[],
    private readonly inner: readonly PlanEdge[],
    private readonly terminal: Terminal | undefined,
    private readonly output: ChainOutput,
    private readonly projection: Projection | undefined,
  ) {
    this.ops = steps.map((s) => s.op!);
    this.n = steps.length;
    this.ins = new Float64Array(this.n);
    this.outs = new Float64Array(this.n);
    this.terms = terminal?.instances ?? [];
    this.termOps = this.terms.map((t) => t.op!);
    this.tins = new Float64Array(this.terms.length);
  }

  /** Whether the chain may run now: nothing watches an inner edge. */
  usable(): boolean {
    const inner = this.inner;
    for (let i = 0; i < inner.length; i++) if (this.output.observes(inner[i]!)) return false;
    return true;
  }

  /** One batch delivered to the chain's first node (`owned`: see Operator.process). */
  run(batch: readonly Event[], owned: boolean): void {
    const { ops, steps, ins, outs, tins, terms, termOps } = this;
    ins.fill(0);
    outs.fill(0);
    tins.fill(0);
    const n = this.n;
    const part = this.terminal?.partition;
    const proj = this.projection;
    // The last step is done by the projection when there is one.
    const m = proj === undefined ? n : n - 1;
    const passed: Event[] | undefined = this.terminal === undefined ? [] : undefined;
    let allOwned = true;
    let i = 0;
    let p = 0;
    const t0 = performance.now();
    try {
      for (let b = 0; b < batch.length; b++) {
        let e = batch[b]!;
        let own = owned;
        for (i = 0; i < m; i++) {
          ins[i] = ins[i]! + 1;
          const r = ops[i]!.step!(e, steps[i]!, own);
          if (r === undefined) break;
          outs[i] = outs[i]! + 1;
          // A step returns its input or a new object of its own: after a copy the event is the chain's.
          if (r !== e) own = true;
          e = r;
        }
        if (i < m) continue;
        if (proj !== undefined) {
          ins[m] = ins[m]! + 1;
          const row = ops[m]!.addedFields!(e);
          if (row !== undefined) {
            outs[m] = outs[m]! + 1;
            i = n;
            const view = proj.fill(e, row, own);
            const memo = proj.memoOf(row);
            // Every event of a keyed row goes to one partition: found once per row, not hashed per event.
            if (part === undefined) p = 0;
            else if (memo === undefined) p = part(view);
            else {
              p = memo.partition;
              if (p < 0) p = memo.partition = part(view);
            }
            tins[p] = tins[p]! + 1;
            proj.target = terms[p]!;
            if (memo === undefined) termOps[p]!.accept!(view, proj);
            else termOps[p]!.acceptKeyed!(view, memo, proj);
            continue;
          }
          const r = ops[m]!.step!(e, steps[m]!, own);
          if (r === undefined) continue;
          outs[m] = outs[m]! + 1;
          if (r !== e) own = true;
          e = r;
          i = n;
        }
        if (!own) allOwned = false;
        if (passed !== undefined) passed.push(e);
        else {
          p = part === undefined ? 0 : part(e);
          tins[p] = tins[p]! + 1;
          termOps[p]!.accept!(e, terms[p]!);
        }
      }
    } catch (err) {
      if (err instanceof NodeFailure) throw err;
      throw new NodeFailure((i < n ? steps[i]! : (terms[p] ?? steps[n - 1]!)).node.id, err);
    }
    this.account(performance.now() - t0);
    if (passed !== undefined) steps[n - 1]!.sendOn(passed, allOwned);
    else for (let t = 0; t < terms.length; t++) if (tins[t]! > 0) terms[t]!.flushAfter(allOwned);
  }

  /** Counts per node and inner edge; the chain's time shared by the events each node took. */
  private account(ms: number): void {
    const { ins, outs, tins, steps, terms, inner, n } = this;
    let total = 0;
    for (let k = 0; k < n; k++) total += ins[k]!;
    for (let k = 0; k < terms.length; k++) total += tins[k]!;
    if (total === 0) return;
    for (let k = 0; k < n + terms.length; k++) {
      const took = k < n ? ins[k]! : tins[k - n]!;
      if (took === 0) continue;
      const c = (k < n ? steps[k]! : terms[k - n]!).counters;
      c.in += took;
      if (k < n) c.out += outs[k]!;
      c.batches++;
      const share = (ms * took) / total;
      c.batchTimes.record(share);
      c.busyMs += share;
    }
    for (let k = 0; k < inner.length; k++) if (outs[k]! > 0) this.output.countEdge(inner[k]!, outs[k]!);
  }
}

/** A row whose events take a key field from the event: no memo. */
const NOT_KEYED = new KeyMemo();

/**
 * An enrich before an accepting terminal: the terminal gets a view holding only what it reads
 * (Operator.reads), filled from the row and the event, instead of the enriched event. Only when
 * the terminal hands the view on (late, error, drop) is the enriched event built, by the step.
 */
export class Projection implements Collector {
  private readonly view: Record<string | symbol, unknown> = {};
  private e: Event | undefined;
  private own = false;
  /** The lone field read, when there is one; `times`: the symbols read are the three event times. */
  private readonly f0: string | undefined;
  private readonly times: boolean;
  /** The terminal instance taking the current event: what it hands on goes there. */
  target!: NodeInstance;
  /**
   * By row number: the row's KeyMemo when the row holds every key field of the terminal, else
   * NOT_KEYED; made at a row's first event. Undefined: the terminal takes no memo.
   */
  private readonly memos: KeyMemo[] | undefined;

  constructor(
    private readonly fields: readonly string[],
    private readonly symbols: readonly symbol[],
    private readonly step: NodeInstance,
    /** The terminal's Operator.keyFields, when it has acceptKeyed. */
    private readonly keyFields?: readonly string[],
  ) {
    this.memos = keyFields === undefined ? undefined : [];
    // Every property exists from the start, in one order: one shape for every event.
    for (const f of fields) this.view[f] = undefined;
    // Times start as numbers, so V8 stores them unboxed in place (not a new heap number each).
    for (const s of symbols) this.view[s] = s === EVENT_TIME || s === INGEST_TIME ? 0.5 : undefined;
    this.f0 = fields.length === 1 ? fields[0] : undefined;
    this.times = symbols.length === 3 && [EVENT_TIME, SOURCE_WATERMARK, INGEST_TIME].every((t) => symbols.includes(t));
  }

  /** Reads that can be projected: none is a name every object inherits (`toString`). */
  static fits(reads: readonly (string | symbol)[]): boolean {
    return reads.every((r) => typeof r === 'symbol' || !(r in Object.prototype));
  }

  fill(e: Event, row: Readonly<Record<string, unknown>>, own: boolean): Event {
    this.e = e;
    this.own = own;
    const v = this.view;
    const src = e as Record<string | symbol, unknown>;
    // Enrich writes the row's fields over the event's (Object.assign): the row wins. One field
    // and the three event symbols are the common case: written with names fixed at each site.
    const f0 = this.f0;
    if (f0 !== undefined) v[f0] = Object.hasOwn(row, f0) ? row[f0] : src[f0];
    else {
      const fields = this.fields;
      for (let k = 0; k < fields.length; k++) {
        const f = fields[k]!;
        v[f] = Object.hasOwn(row, f) ? row[f] : src[f];
      }
    }
    if (this.times) {
      v[EVENT_TIME] = src[EVENT_TIME];
      v[SOURCE_WATERMARK] = src[SOURCE_WATERMARK];
      v[INGEST_TIME] = src[INGEST_TIME];
    } else {
      const symbols = this.symbols;
      for (let k = 0; k < symbols.length; k++) v[symbols[k]!] = src[symbols[k]!];
    }
    return v as Event;
  }

  /**
   * What of `x` leaves for another thread (threads/remote-partition.ts): the view's fields copied
   * when they are the exchange's `fields` (compile/projection.ts) and all present, else the event
   * itself (the enriched one, built now, for the view). Either encodes to the same batch.
   */
  carry(x: Event, fields: readonly string[] | undefined): Event {
    if (x !== this.view || fields === undefined || !this.holds(fields)) return this.real(x);
    const v = this.view as Record<string | symbol, unknown>;
    const out: Record<string | symbol, unknown> = {};
    for (let k = 0; k < fields.length; k++) {
      const value = v[fields[k]!];
      // Absent and undefined look alike in the view: the event itself says which.
      if (value === undefined) return this.real(x);
      out[fields[k]!] = value;
    }
    out[EVENT_TIME] = v[EVENT_TIME];
    if (v[INGEST_TIME] !== undefined) out[INGEST_TIME] = v[INGEST_TIME];
    if (v[SOURCE_WATERMARK] !== undefined) out[SOURCE_WATERMARK] = v[SOURCE_WATERMARK];
    return out as Event;
  }

  private holdsFor: readonly string[] | undefined;
  private holdsAll = false;

  /** Whether the view has every one of `fields` and the three event times (what a batch carries of an event). */
  private holds(fields: readonly string[]): boolean {
    if (fields !== this.holdsFor) {
      this.holdsFor = fields;
      this.holdsAll = this.times && fields.every((f) => this.fields.includes(f));
    }
    return this.holdsAll;
  }

  /**
   * The memo for the terminal's key of `row`'s events, when their key fields are all the row's
   * (the row wins over the event, as in fill): then every event of the row has the same key.
   */
  memoOf(row: Readonly<Record<string | symbol, unknown>>): KeyMemo | undefined {
    const memos = this.memos;
    if (memos === undefined) return undefined;
    const n = row[ROW_NUMBER];
    if (typeof n !== 'number') return undefined;
    let m = memos[n];
    if (m === undefined) {
      m = this.keyFields!.every((f) => Object.hasOwn(row, f)) ? new KeyMemo() : NOT_KEYED;
      memos[n] = m;
    }
    return m === NOT_KEYED ? undefined : m;
  }

  /** The enriched event the view stands for, built now (the step's own result). */
  private real(x: Event): Event {
    if (x !== this.view) return x;
    return this.step.op!.step!(this.e!, this.step, this.own)!;
  }

  emit(event: Event): void {
    this.target.emit(this.real(event));
  }
  emitTo(port: string, event: Event): void {
    this.target.emitTo(port, this.real(event));
  }
  error(event: Event, error: unknown): void {
    this.target.error(this.real(event), error);
  }
  late(event: Event): void {
    this.target.late(this.real(event));
  }
  drop(event: Event): void {
    this.target.drop(this.real(event));
  }
  flush(): void {
    this.target.flush();
  }
}
