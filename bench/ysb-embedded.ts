/**
 * YSB on the embedded runner: (1) from events prepared in memory (the pipeline's own cost, which
 * the 3 M events/s target is about), (2) end to end from the generator, and the hand-written
 * loops doing the same work on the same objects, to compare with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TIME, type Event, type PipelineDocument } from '@sluice/shared';
import type { SourceOperator } from '@sluice/nodes/sdk';
import { compilePipeline, EmbeddedRunner, type RunResult } from '@sluice/engine';
import { generateEvents, peakRssMb, type Timed, timed } from './bench-util.js';

const YSB_DIR = new URL('../examples/ysb/', import.meta.url).pathname;

export function ysbDocument(count: number, sinkPath: string): PipelineDocument {
  const doc = JSON.parse(readFileSync(join(YSB_DIR, 'ysb.json'), 'utf8'));
  doc.nodes.find((n: { id: string }) => n.id === 'ad_events').config.count = count;
  doc.nodes.find((n: { id: string }) => n.id === 'counts').config.path = sinkPath;
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return document;
}

/**
 * A source over events already in memory: slices of one array, no copying of events. They are
 * the generator's (flat: no depth screen, as the generator's own batches), and not owned: they
 * are shared with the other contenders and the next rounds, so the pipeline copies before it
 * changes one (enrich), where a real source's owned events are changed in place.
 */
export function arraySource(events: readonly Event[]): SourceOperator {
  let i = 0;
  let maxTime = Number.NEGATIVE_INFINITY;
  return {
    poll(max) {
      const batch = events.slice(i, i + max) as Event[];
      i += batch.length;
      // The largest time in a local: a closure's double is a new heap number at every store.
      let m = maxTime;
      for (let k = 0; k < batch.length; k++) {
        const t = batch[k]![EVENT_TIME]!;
        if (t > m) m = t;
      }
      maxTime = m;
      return { events: batch, watermark: m, done: i >= events.length, shallow: true };
    },
  };
}

export interface YsbResult extends Timed {
  breakdownMs: Record<string, number>;
  windows: number;
}

export async function ysbInMemory(events: readonly Event[], batchSize: number, partitions: number, sinkPath: string): Promise<YsbResult> {
  const doc = ysbDocument(events.length, sinkPath);
  const runner = new EmbeddedRunner();
  const result = await timed(events.length, async () => {
    const h = await runner.deploy(doc, {
      baseDir: YSB_DIR,
      batchSize,
      partitions,
      sourceOverrides: { ad_events: () => arraySource(events) },
    });
    return h.done;
  });
  return withBreakdown(result);
}

export async function ysbFromGenerator(count: number, batchSize: number, partitions: number, sinkPath: string): Promise<YsbResult> {
  const doc = ysbDocument(count, sinkPath);
  const runner = new EmbeddedRunner();
  const result = await timed(count, async () => {
    const h = await runner.deploy(doc, { baseDir: YSB_DIR, batchSize, partitions });
    return h.done;
  });
  return withBreakdown(result);
}

function withBreakdown(r: Timed & { value: RunResult }): YsbResult {
  if (r.value.status !== 'completed') throw new Error(`YSB run ${r.value.status}: ${r.value.error ?? ''}`);
  const breakdownMs: Record<string, number> = {};
  for (const [id, n] of Object.entries(r.value.metrics.nodes)) breakdownMs[id] = n.busyMs;
  return { seconds: r.seconds, eventsPerSecond: r.eventsPerSecond, breakdownMs, windows: r.value.metrics.nodes.per_campaign!.out };
}

export interface LoopResult extends Timed {
  windows: number;
}

/** One window result, as Sluice's sink writes it. */
export interface CampaignWindow {
  campaign_id: string;
  window_start: number;
  window_end: number;
  views: number;
}

const WINDOW_MS = 10_000;

/**
 * The tight hand-written loop: the same work as the YSB graph on the same objects, written for
 * speed. Campaigns are numbered once (the per-event key is a number, no string built per event),
 * each 10 s window has its own Map from campaign number to count, the current window is kept in a
 * local (a fast path: no window lookup while event time stays in it), and windows are emitted,
 * ordered by campaign id, when the watermark (the largest event time, as the graph's source with
 * maxOutOfOrderness 0) reaches their end, as Sluice emits them.
 */
export function tightLoop(events: readonly Event[], campaigns: Map<string, string>, out: CampaignWindow[] = []): LoopResult {
  const start = performance.now();
  const names = [...new Set(campaigns.values())].sort();
  const number = new Map(names.map((n, i) => [n, i]));
  const campaignOfAd = new Map<string, number>();
  for (const [ad, c] of campaigns) campaignOfAd.set(ad, number.get(c)!);
  const open = new Map<number, Map<number, number>>();
  let currentStart = Number.NaN;
  let current = new Map<number, number>();
  let watermark = Number.NEGATIVE_INFINITY;
  let nextEnd = Number.POSITIVE_INFINITY;
  const emit = (upTo: number) => {
    const due = [...open.keys()].filter((s) => s + WINDOW_MS <= upTo).sort((a, b) => a - b);
    for (const s of due) {
      const counts = open.get(s)!;
      open.delete(s);
      for (const c of [...counts.keys()].sort((a, b) => a - b))
        out.push({ campaign_id: names[c]!, window_start: s, window_end: s + WINDOW_MS, views: counts.get(c)! });
    }
    if (open.size === 0 || due.includes(currentStart)) currentStart = Number.NaN;
    nextEnd = Number.POSITIVE_INFINITY;
    for (const s of open.keys()) nextEnd = Math.min(nextEnd, s + WINDOW_MS);
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Record<string, unknown> & Event;
    const t = e[EVENT_TIME]!;
    if (t > watermark) watermark = t;
    if (e.event_type === 'view') {
      const c = campaignOfAd.get(e.ad_id as string);
      if (c !== undefined) {
        const ws = t - (t % WINDOW_MS);
        if (ws !== currentStart) {
          let w = open.get(ws);
          if (w === undefined) {
            w = new Map();
            open.set(ws, w);
            if (ws + WINDOW_MS < nextEnd) nextEnd = ws + WINDOW_MS;
          }
          current = w;
          currentStart = ws;
        }
        current.set(c, (current.get(c) ?? 0) + 1);
      }
    }
    if (watermark >= nextEnd) emit(watermark);
  }
  emit(Number.POSITIVE_INFINITY);
  const seconds = (performance.now() - start) / 1000;
  return { seconds, eventsPerSecond: events.length / seconds, windows: out.length };
}

/**
 * The loop earlier runs called "the ceiling": one `${campaign}|${window}` string per event as the
 * key of one Map, and no window ever emitted. Kept to show what a string key per event costs.
 */
export function stringKeyLoop(events: readonly Event[], campaigns: Map<string, string>): LoopResult {
  const start = performance.now();
  const counts = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Record<string, unknown> & Event;
    if (e.event_type !== 'view') continue;
    const c = campaigns.get(e.ad_id as string);
    if (c === undefined) continue;
    const w = Math.floor(e[EVENT_TIME]! / WINDOW_MS);
    const k = `${c}|${w}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, eventsPerSecond: events.length / seconds, windows: counts.size };
}

export { generateEvents, peakRssMb };
