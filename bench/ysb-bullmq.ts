/**
 * YSB on the BullMQ runner against the local Redis: throughput with 1 and 2 worker processes,
 * and end-to-end latency at a fixed input rate of 20,000 events/s.
 *
 * `node --import tsx bench/ysb-bullmq.ts latency` runs the latency part alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const lat = await latencyAt(20_000, say);
  out.latencyAt20k = lat;
  return out;
}

/** What a latency histogram holds: the engine's Histogram, as RunHandle.detail() hands it out. */
interface Hist {
  count: number;
  quantile(q: number): number;
  toSparse(): [number, number][];
}

/** The samples recorded between two snapshots of one histogram (`later` minus `earlier`). */
function between(earlier: Hist | undefined, later: Hist): Hist {
  const before = new Map(earlier?.toSparse() ?? []);
  const pairs = later.toSparse().map(([i, c]): [number, number] => [i, c - (before.get(i) ?? 0)]);
  return (later.constructor as unknown as { fromSparse(p: [number, number][]): Hist }).fromSparse(pairs.filter(([, c]) => c > 0));
}

/**
 * End-to-end latency at a fixed input rate, from windows that close during the run: YSB with
 * 1 s windows (100 campaigns: about 100 samples a second), a warm-up whose samples are left
 * out (until the first window reaches the sink, then BULLMQ_LATENCY_WARMUP s), then a measured stretch, then a stop (open windows are not emitted: no window closed by
 * the end of input counts). Latency is a window result's ingest time (the latest ingest the window
 * had taken when it fired: docs/windows.md) to its sink write, as YSB measures from the window's end.
 */
export async function latencyAt(rate: number, say: (s: string) => void) {
  const warm = Number(process.env.BULLMQ_LATENCY_WARMUP ?? 3);
  const seconds = Number(process.env.BULLMQ_LATENCY_SECONDS ?? 15);
  const batchDelayMs = Number(process.env.BULLMQ_LATENCY_BATCH_DELAY_MS ?? 20);
  const workers = 2;
  const lat = await withRunner(workers, async (runner, dir) => {
    const doc = ysbDocument(rate * (warm + seconds + 60), join(dir, 'counts.jsonl'));
    const gen = doc.nodes.find((n) => n.id === 'ad_events')!;
    gen.config = { ...gen.config, rate };
    const win = doc.nodes.find((n) => n.id === 'per_campaign')!;
    win.config = { ...win.config, size: '1s' };
    const h = await runner.deploy(doc, { baseDir: YSB_DIR, batchDelayMs, partitions: 2 });
    const sinkLatency = () => h.detail!().latency.get('counts') as Hist | undefined;
    // Warm-up: until the first window reached the sink (on a loaded machine the workers' first
    // batches take seconds), then `warm` seconds more.
    const deadline = Date.now() + 120_000;
    while ((sinkLatency()?.count ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error('no window reached the sink within 120 s');
      await sleep(100);
    }
    await sleep(warm * 1000);
    const atWarm = sinkLatency();
    await sleep(seconds * 1000);
    const res = await h.stop();
    if (res.status === 'failed') throw new Error(`bullmq latency run failed: ${res.error}`);
    const all = sinkLatency();
    if (!all) throw new Error('the sink recorded no latency');
    const measured = between(atWarm, all);
    const ms = (x: number) => Math.round(x * 10) / 10;
    return {
      rate,
      workers,
      batchDelayMs,
      warmupSeconds: warm,
      seconds,
      samples: measured.count,
      p50Ms: ms(measured.quantile(0.5)),
      p99Ms: ms(measured.quantile(0.99)),
      maxMs: ms(measured.quantile(1)),
      withWarmup: { samples: all.count, p50Ms: ms(all.quantile(0.5)), p99Ms: ms(all.quantile(0.99)) },
      load: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  });
  say(
    `end-to-end latency at ${rate} ev/s, ${workers} workers, 1 s windows, batchDelayMs ${batchDelayMs}: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms, max ${lat.maxMs} ms (${lat.samples} samples from windows closed in ${seconds} s after a ${warm} s warm-up; with the warm-up: p99 ${lat.withWarmup.p99Ms} ms of ${lat.withWarmup.samples}; load ${lat.load.join(', ')})`,
  );
  return lat;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRunner<T>(workers: number, fn: (runner: BullmqRunner, dir: string) => Promise<T>): Promise<T> {
  const prefix = `sluice-bench-${randomUUID().slice(0, 8)}`;
  const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
  if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}`);
  const local = spawnWorkers(workers, { redisUrl: REDIS_URL, prefix });
  let dir: string | undefined;
  try {
    // Time the pipeline, not the workers' start (loading TypeScript takes seconds).
    const deadline = Date.now() + 60_000;
    while ((await runner.liveWorkers()) < workers) {
      if (Date.now() > deadline) throw new Error(`${workers} workers did not start within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
    return await fn(runner, dir);
  } finally {
    await local.stop();
    await runner.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'latency')
  await latencyAt(Number(process.argv[3] ?? 20_000), (s) => process.stdout.write(`${s}\n`));
