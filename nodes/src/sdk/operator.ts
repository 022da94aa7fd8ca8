/**
 * The operator interface: what a node does to events at run time. Inspired by Arroyo/Flink:
 * an operator processes a batch into a collector; watermarks have a default (ignore); state is
 * declared through the context and owned by the runtime, which snapshots and restores it.
 *
 * Events are immutable unless owned: an operator never mutates a batch array, nor an input event
 * unless the runtime says the batch is its own (`owned`: no other edge, tap or recording sees
 * those events), when map and enrich change them in place instead of copying each one
 * (docs/execution-model.md, "Who owns an event").
 */
import type { Event, ParamValue } from '@sluice/shared';
import type { Inbox, InboxSplit } from './inbox.js';
import type { StateRegistry } from './state.js';

export interface Collector {
  /** Emit to the default output port `out`. */
  emit(event: Event): void;
  /**
   * Emit a whole batch to `out`, in order: the batch it was given, every event changed in place
   * (map, enrich). The collector may send that array on as it is, so it must not change after.
   * Optional: without it, emit each event.
   */
  emitAll?(events: readonly Event[]): void;
  /** Emit to a named output port. */
  emitTo(port: string, event: Event): void;
  /** The event failed on this node: counted as an error and routed to the `error` port. */
  error(event: Event, error: unknown): void;
  /** The event arrived for a window already emitted: counted as late, to the `late` port. */
  late(event: Event): void;
  /** The event is discarded on purpose (e.g. enrich onMissing=drop): counted as dropped. */
  drop(event: Event): void;
  /**
   * Send what was emitted so far downstream now, instead of when the call returns (a window
   * firing a million keys need not hold a million results in one batch). Optional.
   */
  flush?(): void;
}

export interface OperatorContext<C> {
  nodeId: string;
  /** The node's config, parsed by its schema (defaults applied). */
  config: C;
  params: Readonly<Record<string, ParamValue>>;
  /** Resolve a path from the document against the document's folder. */
  resolvePath(path: string): string;
  /** Output ports that have at least one edge (e.g. `late`, `error`). */
  isConnected(port: string): boolean;
  /** Declare state here; the runtime owns, snapshots and restores it. */
  state: StateRegistry;
  /**
   * Its input comes through a combiner (docs/combiner.md): batches may hold partial rows, and
   * every event in them went through the combiner. Absent: every input is an event.
   */
  partialRows?: boolean;
  /** Wall clock (injectable for tests). */
  now(): number;
  /**
   * Sources split by `parallelism` (their definition's `split`): which share this instance
   * reads, partition `index` of `of`. Absent or `of: 1`: the whole source.
   */
  partition?: { index: number; of: number };
  /**
   * The inbox the host feeds this node (push sources such as source.http), with its capacity;
   * a split source's partition passes its share (`InboxSplit`) and gets that partition's inbox.
   */
  inbox?(capacity: number, split?: InboxSplit): Inbox;
  /**
   * The value of a named secret (connector passwords; sdk/secrets.ts). Throws, naming the
   * secret and where to set it, when the host has none by that name.
   */
  secret(name: string): string;
  /**
   * The event as it may be shown to people (a log line, a panel): masked by the pipeline's
   * privacy settings (docs/privacy.md). Absent (tests, tools): shown as it is.
   */
  show?(event: Event): Event;
}

export interface Operator {
  /**
   * Process one batch that arrived on input port `input`. `owned`: the batch's events are this
   * operator's alone (nothing else holds them): it may set top-level fields on them in place and
   * emit them (never change a nested object: copy it, as map's setNested does). Absent or false:
   * the events are shared and must not change.
   */
  process(batch: readonly Event[], out: Collector, input: string, owned?: boolean): void;
  /**
   * Every event it emits is a new object of its own, or one of its input events emitted once on
   * one port: so what it emits is owned when its input was, and what it emits on a watermark is
   * fresh. Absent: its output is never owned (the next operator copies before changing it).
   */
  readonly passesOwnership?: boolean;
  /**
   * One event of a one-in, one-out operator without state (filter, map, enrich), for a fused
   * chain (docs/execution-model.md, "Fused chains"): the event to pass on `out` (`e` itself,
   * changed in place when `owned`, or a new object), or undefined when it passes nothing (left
   * out by a filter, or reported on `out` as an error or a drop). The same results as process.
   */
  step?(e: Event, out: Collector, owned: boolean): Event | undefined;
  /**
   * A step that only adds fields (enrich): the fields `step` would set on `e` (read, never
   * changed), or undefined when `step` would do something else with it. Lets a fused chain hand
   * the next operator only what it reads (`reads`) instead of building the whole event.
   */
  addedFields?(e: Event): Readonly<Record<string, unknown>> | undefined;
  /**
   * One event, as `process` would take it in a batch of one, for a fused chain that ends at
   * this operator. The event is read during the call and kept only by passing it to `out`.
   */
  accept?(e: Event, out: Collector): void;
  /** The top-level fields and event symbols `accept` reads (no others): see addedFields. */
  readonly reads?: readonly (string | symbol)[];
  /**
   * The top-level fields `accept` keys events by (a keyed window), when acceptKeyed exists.
   * A fused chain whose enrich row holds every one of them passes acceptKeyed that row's memo.
   */
  readonly keyFields?: readonly string[];
  /**
   * accept, for an event whose keyFields values all come from one enrich row (addedFields'
   * result, with ROW_NUMBER): `memo` is that row's, the same object for every event of the row,
   * where the operator keeps what it found for the key (its state slot) instead of looking the
   * key up again. The same results as accept.
   */
  acceptKeyed?(e: Event, memo: KeyMemo, out: Collector): void;
  /**
   * How many events a batch it is given stands for, when that is not its length (a window's
   * partial rows from a combiner stand for the events they fold): the node's `in` counter.
   */
  countIn?(batch: readonly Event[]): number;
  /**
   * The node's watermark advanced (min over its inputs). `Infinity` means every bounded
   * source has ended: emit everything that is still open.
   */
  onWatermark?(watermark: number, out: Collector): void;
  /**
   * Called once when the operator starts fresh (no state restored). Where several processes may
   * build the same task (BullMQ), more than one may start it, and only one start is committed:
   * onStart must not destroy anything (a sink stages a new file rather than emptying its own).
   */
  onStart?(): void;
  /**
   * The fresh start is committed (`true`): this instance's start is the run's, and effects that
   * must not happen before (replacing a file with the one onStart staged) happen now. Or it
   * never will be (`false`: another process's start was committed, or the build failed): undo
   * what onStart made. Called at once where one process owns the task. Such an effect must be
   * idempotent and also be done by onRestore when the committed state says it is pending: a
   * process paused right after its commit may run it after another restored the task.
   */
  onStartSettled?(committed: boolean): void;
  /** Called after the runtime restored declared state (rebuild derived indexes). */
  onRestore?(): void;
  close?(): Promise<void> | void;
}

export interface SourceBatch {
  /** Events stamped with EVENT_TIME (and SOURCE_WATERMARK when behind), INGEST_TIME. */
  events: Event[];
  /** The source's watermark after these events (largest time read minus maxOutOfOrderness). */
  watermark: number;
  /** True when a bounded source has ended (no more events will come). */
  done: boolean;
  /**
   * Records the source could not turn into events (a malformed line, a missing time field):
   * the runtime routes each to the source's `error` port and counts it as an error.
   */
  errors?: { event: Event; error: string }[];
  /**
   * The events are known to nest only a few levels (a generator's, not parsed input): the
   * runtime skips its depth screen (engine/src/runtime/event-depth.ts) on the hot path.
   */
  shallow?: boolean;
  /**
   * The events are new objects the source keeps no reference to: the operators downstream may
   * change them in place (see Operator.process). Absent: they are treated as shared.
   */
  owned?: boolean;
}

export interface SourceOperator {
  /**
   * Up to `max` events. May return an empty batch when nothing is available yet (rate limit,
   * unbounded source) - the runtime then polls again later.
   */
  poll(max: number): Promise<SourceBatch> | SourceBatch;
  /** Position for checkpointing (e.g. file offset, events generated). */
  position?(): unknown;
  /** Resume from a position returned by `position()`. */
  seek?(position: unknown): void | Promise<void>;
  /**
   * false: a batch cannot be read again from the position it started at (a queue redelivers
   * what was not acknowledged, to any of its consumers, instead). The BullMQ runner then keeps
   * the batch in flight in its pending mark, and whoever resumes the partition sends that kept
   * batch again instead of polling (docs/source-partitions.md). Absent: seek and read again.
   */
  readonly replayable?: false;
  /**
   * A checkpoint at `position` is durable: the source is never sought before it again, so a
   * durable inbox may release what lies before it (source.http's Redis stream trims it).
   */
  onCheckpoint?(position: unknown): void | Promise<void>;
  /**
   * The BullMQ runner is handing this partition over cleanly (fair share, SIGTERM, pause,
   * stop): take nothing more from outside. The polls that follow return what was already taken
   * (then empty batches), and the runner sends and checkpoints it before `close`. For a source
   * whose unread records would otherwise go to another reader, behind what that reader already
   * passed (a queue requeues them to any consumer: late for its windows).
   */
  stopReading?(): void | Promise<void>;
  close?(): Promise<void> | void;
}

export interface SinkOperator extends Operator {
  /**
   * Flush buffered writes (end of input, stop, before a commit). `out`: a sink with output ports
   * (sink.http's `error`) emits what it could not deliver there; the runtime routes it on.
   */
  flush?(out?: Collector): Promise<void> | void;
}

export type OperatorFactory<C> = (ctx: OperatorContext<C>) => Operator | Promise<Operator>;
export type SourceFactory<C> = (ctx: OperatorContext<C>) => SourceOperator | Promise<SourceOperator>;

/**
 * A connector's connection check ("Check connection" in the editor, `POST
 * /api/pipelines/:id/nodes/:node/check`): connects with the node's config and secrets, looks at
 * what the config names (the table, stream, queue, subject), and closes. It must leave no trace:
 * no consumer that could take messages, no session, no client id a running pipeline uses,
 * nothing created. Resolves with one line saying what it found; rejects saying what is wrong.
 */
export type ConnectionCheck<C> = (ctx: OperatorContext<C>) => Promise<string>;

/** What operators.ts maps each type to. */
/**
 * Pre-aggregation before a keyed exchange (docs/combiner.md): the sending side folds a batch's
 * events into partial rows, one per (key, window), which the node's operator merges as if it
 * had taken the events. Stateless across batches: drain empties it.
 */
export interface Combiner {
  /** Folds `e` (read during the call, never kept) into a partial row; false: send `e` on as it is. */
  offer(e: Event): boolean;
  /** An event offer refused, sent on as it is, in its place among the partial rows. */
  pass(e: Event): void;
  /** The partial rows and passed events since the last drain, in order of their first event. */
  drain(): Event[];
}

/** A node type's combiner for a config its definition's `combines` accepted. */
export type CombinerFactory<C> = (config: C) => Combiner;

export type OperatorEntry<C = never> =
  | { kind: 'operator'; create: OperatorFactory<C>; check?: ConnectionCheck<C>; combiner?: CombinerFactory<C> }
  | { kind: 'source'; create: SourceFactory<C>; check?: ConnectionCheck<C> };

/**
 * On addedFields' result (non-enumerable, so never copied into an event): the row's number,
 * unique among the operator's rows and the same at every call. A fused chain keeps one KeyMemo
 * per row number for the terminal (Operator.acceptKeyed).
 */
export const ROW_NUMBER: unique symbol = Symbol('sluice.rowNumber');

/**
 * What a keyed terminal learned of the key of one enrich row's events: `slot` is valid for
 * `owner` while its key table is at `epoch` (both the owner's to define and check).
 */
export class KeyMemo {
  owner: object | undefined = undefined;
  epoch = -1;
  slot = -1;
  /** The partition of the chain's keyed exchange the row's key goes to (fused-chain.ts); -1 until known. */
  partition = -1;
}

/** Start a fresh operator whose task this process owns alone (nothing else can start it): its start is committed at once. */
export function startOwned(op: Operator): void {
  op.onStart?.();
  op.onStartSettled?.(true);
}
