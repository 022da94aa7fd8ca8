/**
 * The window's side of the combiner (docs/combiner.md): merging a partial row (partial-row.ts,
 * made by combiner.ts) into the window's columns as if its events had been taken one by one.
 * Its events are all of one key and tumbling window, none late by its own stamp; they are late
 * together when the window was emitted (each counted late, as each would have been).
 */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import type { Collector } from '../sdk/operator.js';
import { latestStart } from './assigners.js';
import type { WindowConfig } from './definition.js';
import type { FixedWindows } from './fixed-windows.js';
import { PARTIAL_COUNT, slotFields } from './partial-row.js';
import type { WindowColumns } from './window-columns.js';
import type { WindowSetup } from './window-setup.js';

export class PartialRowMerge {
  /** The row's accumulator slot fields, read into scratch arrays. */
  private readonly fields: { x: string[]; v: string[] };
  private readonly px: Float64Array;
  private readonly pv: unknown[];

  constructor(
    c: WindowConfig,
    private readonly setup: WindowSetup,
    private readonly fixed: FixedWindows,
  ) {
    this.fields = slotFields(c);
    this.px = new Float64Array(this.fields.x.length);
    this.pv = this.fields.v.map(() => null);
  }

  /** Merges partial row `p` into its key's window, or sends its events to `late`. */
  take(p: Event, out: Collector): void {
    const n = p[PARTIAL_COUNT] as number;
    const { size, slide, lateness } = this.setup;
    if (slide !== size) throw new Error('window: a partial row reached a window that does not combine');
    const t = p[EVENT_TIME] ?? 0;
    const start = latestStart(t, size);
    const end = start + size;
    if (end + lateness <= this.fixed.wm) {
      for (let i = 0; i < n; i++) out.late(p);
      return;
    }
    const r = this.fixed.windowOf(p, start, end);
    const px = this.px;
    const pv = this.pv;
    for (let i = 0; i < px.length; i++) px[i] = p[this.fields.x[i]!] as number;
    for (let i = 0; i < pv.length; i++) pv[i] = p[this.fields.v[i]!];
    mergeInto(this.fixed.cols, r, n, p[INGEST_TIME], px, pv);
  }
}

/** Folds `n` events, their latest ingest time and accumulator slots `px`, `pv` into record `r`. */
function mergeInto(cols: WindowColumns, r: number, n: number, ingest: number | undefined, px: Float64Array, pv: readonly unknown[]): void {
  cols.count[r]! += n;
  if (ingest !== undefined) {
    if (ingest > cols.ingest[r]!) cols.ingest[r] = ingest;
    if (ingest > cols.seenIngest) cols.seenIngest = ingest;
  }
  if (cols.aggs.readsValues) cols.aggs.mergeAt(cols.x, r * cols.xs, cols.v, r * cols.vs, px, 0, pv, 0);
  cols.touched(r);
}
