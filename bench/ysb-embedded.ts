/**
 * YSB on the embedded runner: (1) from events prepared in memory (the pipeline's own cost, which
 * the 3 M events/s target is about), (2) end to end from the generator, (3) a hand-written loop
 * doing the same work on the same objects, as the ceiling to compare with.
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

/** A source over events already in memory: slices of one array, no copying of events. */
export function arraySource(events: readonly Event[]): SourceOperator {
  let i = 0;
  let maxTime = Number.NEGATIVE_INFINITY;
  return {
    poll(max) {
      const batch = events.slice(i, i + max) as Event[];
      i += batch.length;
      for (const e of batch) if (e[EVENT_TIME]! > maxTime) maxTime = e[EVENT_TIME]!;
      return { events: batch, watermark: maxTime, done: i >= events.length };
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

/** The same work by hand: filter views, look up the campaign, count per (campaign, 10 s window). */
export function handWrittenLoop(events: readonly Event[], campaigns: Map<string, string>): Timed & { windows: number } {
  const start = performance.now();
  const counts = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Record<string, unknown> & Event;
    if (e.event_type !== 'view') continue;
    const c = campaigns.get(e.ad_id as string);
    if (c === undefined) continue;
    const w = Math.floor(e[EVENT_TIME]! / 10_000);
    const k = `${c}|${w}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, eventsPerSecond: events.length / seconds, windows: counts.size };
}

export { generateEvents, peakRssMb };
