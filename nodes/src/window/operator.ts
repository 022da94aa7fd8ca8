/**
 * The window operator (semantics: GRAPH_FORMAT.md "Windows (event time)", docs/windows.md).
 *
 * Declared state, so the runtime snapshots and restores it:
 * - keyed `windows`: state key -> { k: the keyBy values, w: open windows with accumulators };
 *   a key with no open window has no entry (tumbling and sliding keep it in columns,
 *   window-columns.ts; sessions as objects, session-windows.ts);
 * - value `watermark`: the last watermark seen (null before the first);
 * - value `layout`: what the accumulators mean (type, keyBy, ops): state written under another
 *   layout is refused on restore rather than misread.
 * The fire index (when which key has a window due) is derived and rebuilt in onRestore.
 *
 * Lateness is decided per event, whatever the batching: a window is closed for an event when
 * `end + allowedLateness <= max(watermark, event[SOURCE_WATERMARK])`, i.e. when it was (or, with
 * one watermark per event, would have been) emitted before the event arrived.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { isEventFailure } from '../sdk/error-event.js';
import type { Collector, KeyMemo, Operator, OperatorFactory } from '../sdk/operator.js';
import { eventsOf } from '../sdk/partial-rows.js';
import type { StateRegistry, ValueState } from '../sdk/state.js';
import type { WindowConfig } from './definition.js';
import { FixedWindows } from './fixed-windows.js';
import { PARTIAL_COUNT } from './partial-row.js';
import { PartialRowMerge } from './partial-row-merge.js';
import { LATE, NO_WINDOW } from './placement.js';
import { type KeyEntry, SessionWindows } from './session-windows.js';
import { WindowColumns } from './window-columns.js';
import { WindowEventError, WindowStateError } from './window-errors.js';
import { WindowSetup } from './window-setup.js';

export type { KeyEntry } from './session-windows.js';
export { WindowEventError, WindowStateError } from './window-errors.js';

export const windowOperator: OperatorFactory<WindowConfig> = (ctx) => new WindowOperator(ctx.config, ctx.state, ctx.partialRows === true);

export class WindowOperator implements Operator {
  /** Its results are new objects; a late or bad event goes on as it came, once. */
  readonly passesOwnership = true;
  private readonly setup: WindowSetup;
  /** Tumbling and sliding (undefined for sessions). */
  private readonly fixed: FixedWindows | undefined;
  /** Sessions (undefined for tumbling and sliding). */
  private readonly sessions: SessionWindows | undefined;
  /** A combiner's partial rows, when the input comes through one (tumbling only). */
  private readonly partials: PartialRowMerge | undefined;
  private readonly watermark: ValueState<number | null>;
  private readonly layout: ValueState<string>;
  private readonly expectedLayout: string;
  private wm: number;
  /** What accept reads of an event (Operator.reads): its times, keys and aggregated fields. */
  readonly reads: readonly (string | symbol)[];
  /** Tumbling and sliding keyed by top-level fields: acceptKeyed's memo stands for the key's slot. */
  readonly keyFields: readonly string[] | undefined;

  constructor(
    c: WindowConfig,
    state: StateRegistry,
    /** Its input comes through a combiner (OperatorContext.partialRows): read partial rows. */
    private readonly partialRows = false,
  ) {
    const setup = new WindowSetup(c);
    this.setup = setup;
    // The same state name and format either way (docs/keyed-state.md).
    if (setup.session) {
      this.sessions = new SessionWindows(setup, state.keyed<KeyEntry>('windows'));
    } else {
      const cols = state.columns('windows', (track) => new WindowColumns(setup.aggs, c.keyBy.length, track));
      this.fixed = new FixedWindows(setup, cols);
      if (partialRows) this.partials = new PartialRowMerge(c, setup, this.fixed);
    }
    this.watermark = state.value<number | null>('watermark', null);
    this.wm = this.watermark.get() ?? Number.NEGATIVE_INFINITY;
    this.setWatermark(this.wm);
    this.expectedLayout = `${c.type}|${JSON.stringify(c.keyBy)}|${c.aggregates.map((a) => a.op).join(',')}`;
    this.layout = state.value('layout', this.expectedLayout);
    const fields = [...c.keyBy, ...c.aggregates.flatMap((a) => (a.op === 'count' ? [] : [a.field ?? '']))];
    this.reads = [EVENT_TIME, SOURCE_WATERMARK, INGEST_TIME, ...new Set(fields.map((f) => f.split('.')[0]!))];
    this.keyFields = setup.session || c.keyBy.length === 0 || c.keyBy.some((k) => k.includes('.')) ? undefined : c.keyBy;
  }

  process(batch: readonly Event[], out: Collector): void {
    if (!this.partialRows) {
      for (let b = 0; b < batch.length; b++) this.accept(batch[b]!, out);
      return;
    }
    for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      if (!(PARTIAL_COUNT in e)) this.accept(e, out);
      else if (this.partials !== undefined) this.partials.take(e, out);
      else throw new Error('window: a partial row reached a window that does not combine');
    }
  }

  /** Operator.countIn: a combiner's partial row counts the events it folds (docs/combiner.md). */
  countIn(batch: readonly Event[]): number {
    return this.partialRows ? eventsOf(batch) : batch.length;
  }

  /** One event (Operator.accept): placed in its windows, or late, dropped or an error on `out`. */
  accept(e: Event, out: Collector): void {
    this.take(e, undefined, out);
  }

  /** Operator.acceptKeyed: as accept, the key's slot kept in `memo` (for keyFields alone). */
  acceptKeyed(e: Event, memo: KeyMemo, out: Collector): void {
    this.take(e, this.keyFields === undefined ? undefined : memo, out);
  }

  private take(e: Event, memo: KeyMemo | undefined, out: Collector): void {
    const aggs = this.setup.aggs;
    // Sources always stamp event time; an unstamped event (a hand-built test) counts as time 0.
    const t = e[EVENT_TIME] ?? 0;
    if (t - t !== 0) {
      out.error(e, new WindowEventError(`event time ${String(t)} is not a finite number`, 'window-bad-time'));
      return;
    }
    if (aggs.readsValues) {
      const why = aggs.read(e);
      if (why !== undefined) {
        out.error(e, new WindowEventError(why, 'window-bad-value'));
        return;
      }
    }
    let r: number;
    try {
      r = this.sessions !== undefined ? this.sessions.place(e, t) : this.fixed!.place(e, memo);
    } catch (err) {
      // A key or value JavaScript cannot handle (nested too deep to write as JSON): the event's.
      if (!isEventFailure(err)) throw err;
      out.error(e, err);
      return;
    }
    if (r === LATE) out.late(e);
    else if (r === NO_WINDOW) out.drop(e);
  }

  onWatermark(watermark: number, out: Collector): void {
    if (!(watermark > this.wm)) return;
    this.setWatermark(watermark);
    this.watermark.set(Number.isFinite(watermark) ? watermark : null);
    const kind = this.sessions ?? this.fixed!;
    if (watermark >= kind.nextFire) kind.fire(watermark, out);
  }

  private setWatermark(watermark: number): void {
    this.wm = watermark;
    if (this.fixed !== undefined) this.fixed.wm = watermark;
    else this.sessions!.wm = watermark;
  }

  /** Keys interned by a tumbling or sliding window now, idle ones included (bounded by sweeps). */
  get internedKeys(): number {
    return this.fixed?.cols.keys.interned ?? 0;
  }

  /** Window list records stepped past finding events' windows so far (window-lists.ts): for tests. */
  get listSteps(): number {
    return this.fixed?.cols.lists.steps ?? 0;
  }

  onRestore(): void {
    const layout = this.layout.get();
    if (layout !== this.expectedLayout) {
      throw new WindowStateError(`window state was written for ${layout}, this node is ${this.expectedLayout} (type|keyBy|aggregate ops)`);
    }
    this.setWatermark(this.watermark.get() ?? Number.NEGATIVE_INFINITY);
    if (this.fixed !== undefined) this.fixed.restore();
    else this.sessions!.restore();
  }
}
