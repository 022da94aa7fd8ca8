/**
 * YSB on the BullMQ runner against the local Redis: throughput with 1 and 2 worker processes,
 * and end-to-end latency at a fixed input rate of 20,000 events/s.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BULLMQ_BATCH_SIZE, BullmqRunner, spawnWorkers } from '@sluice/engine';
import { ysbDocument } from './ysb-embedded.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const YSB_DIR = new URL('../examples/ysb/', import.meta.url).pathname;

export async function bullmqBenchmarks(say: (s: string) => void): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const count = Number(process.env.BULLMQ_BENCH_EVENTS ?? 1_000_000);
  for (const workers of [1, 2]) {
    const r = await withRunner(workers, async (runner, dir) => {
      const doc = ysbDocument(count, join(dir, 'counts.jsonl'));
      const start = performance.now();
      const h = await runner.deploy(doc, { baseDir: YSB_DIR, partitions: 2 });
      const res = await h.done;
      const seconds = (performance.now() - start) / 1000;
      if (res.status !== 'completed') throw new Error(`bullmq run ${res.status}: ${res.error}`);
      return { events: count, seconds, eventsPerSecond: count / seconds };
    });
    out[`throughput_${workers}w`] = r;
    say(
      `throughput, ${workers} worker(s), ${count} events, batches of up to ${BULLMQ_BATCH_SIZE}: ${Math.round(r.eventsPerSecond).toLocaleString('en')} ev/s`,
    );
  }
  const rate = 20_000;
  const seconds = Number(process.env.BULLMQ_LATENCY_SECONDS ?? 10);
  const lat = await withRunner(2, async (runner, dir) => {
    const doc = ysbDocument(rate * seconds, join(dir, 'counts.jsonl'));
    const gen = doc.nodes.find((n) => n.id === 'ad_events')!;
    gen.config = { ...gen.config, rate };
    const h = await runner.deploy(doc, { baseDir: YSB_DIR, batchDelayMs: 20, partitions: 2 });
    const res = await h.done;
    return res.metrics.sinks.counts!;
  });
  out.latencyAt20k = lat;
  say(`end-to-end latency at ${rate} ev/s for ${seconds} s, 2 workers: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms (${lat.count} samples)`);
  return out;
}

async function withRunner<T>(workers: number, fn: (runner: BullmqRunner, dir: string) => Promise<T>): Promise<T> {
  const prefix = `sluice-bench-${randomUUID().slice(0, 8)}`;
  const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
  if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}`);
  const local = spawnWorkers(workers, { redisUrl: REDIS_URL, prefix });
  try {
    // Time the pipeline, not the workers' start (loading TypeScript takes seconds).
    const deadline = Date.now() + 60_000;
    while ((await runner.liveWorkers()) < workers) {
      if (Date.now() > deadline) throw new Error(`${workers} workers did not start within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await fn(runner, mkdtempSync(join(tmpdir(), 'sluice-bench-')));
  } finally {
    await local.stop();
    await runner.close();
  }
}
