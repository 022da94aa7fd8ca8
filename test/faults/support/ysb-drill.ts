/**
 * A YSB run on BullMQ for the worker drills: a Redis of the drill's own, N worker processes and
 * the coordinator in the test process. The drill waits for a share of the windows to be
 * committed, does its damage (kill -9, SIGSTOP...), then `finish()` compares the sink file with
 * the embedded engine's output on the same events and with the run's own counts.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, expect } from 'vitest';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import {
  buildPlan,
  BullmqRunner,
  EmbeddedRunner,
  type RunHandle,
  type RunResult,
  spawnWorker,
  spawnWorkers,
  stopProcess,
  WORKER_STOP_GRACE_MS,
} from '@sluice/engine';
import { RedisKeys } from '@sluice/engine/testing';
import { YSB_DIR, ysbDocumentFor } from '../../distributed/ysb-fixture.js';
import { type OutputComparison, compareOutputs } from './compare-outputs.js';
import { OwnRedis } from './own-redis.js';
import { waitUntil } from './wait-until.js';

/** `pnpm test:faults --full`: the sizes of issue 10's drills. */
export const FULL = process.env.SLUICE_FAULTS_FULL === '1';

const PID = 'ysb';
const SINK = 'counts';
const PARTITIONS = 2;

export interface YsbDrillOptions {
  events: number;
  workers: number;
  /** BullMQ lock duration the workers use (SLUICE_LOCK_MS); a pause must outlast it. */
  lockMs?: number;
  /** Block <ms> before the sink writes of every <every>th batch (SLUICE_DRILL_SLOW_SINK, worker-pool.ts). */
  slowSink?: { ms: number; every: number };
  /** Block <ms> between a fresh read of the sink task's state and its start (SLUICE_DRILL_START_PAUSE, worker-pool.ts). */
  startPause?: number;
  /** The source split in this many partitions (the reference stays the unsplit run). */
  sourceParallelism?: number;
  /** Events per second (paced: the run lasts count / rate seconds; the reference is paced the same). */
  rate?: number;
  /** Source partition lease TTL the workers use (SLUICE_SOURCE_LEASE_MS); a pause must outlast it. */
  sourceLeaseMs?: number;
  /** The source's placement labels (docs/source-partitions.md). */
  placement?: string[];
  /** Labels of each worker started (`sluice worker --labels`), by index; none for the rest. */
  workerLabels?: string[][];
}

export interface DrillOutcome {
  result: RunResult;
  comparison: OutputComparison;
  /** Lines in the sink file. */
  fileRows: number;
  /** What the run says reached the sink. */
  reportedRows: number;
}

export class YsbDrill {
  readonly workers: ChildProcess[];
  private readonly stopped = new Set<ChildProcess>();
  private spawnEnv!: { redisUrl: string; prefix: string };
  private sourcePartitions = 1;
  private constructor(
    readonly redis: OwnRedis,
    private readonly probe: Redis,
    private readonly runner: BullmqRunner,
    workers: ChildProcess[],
    readonly dir: string,
    readonly out: string,
    public expected: Record<string, unknown>[],
    private readonly sinkStage: number,
    private readonly keys: RedisKeys,
    private handle?: RunHandle,
  ) {
    this.workers = workers;
  }

  static async start(o: YsbDrillOptions): Promise<YsbDrill> {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-drill-'));
    const redis = await OwnRedis.start({ aof: false }).catch((err) => {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    });
    const out = join(dir, 'bullmq.jsonl');
    const doc = ysbDocumentFor(o.events, out, {
      ...(o.sourceParallelism !== undefined ? { parallelism: o.sourceParallelism } : {}),
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      ...(o.placement !== undefined ? { placement: o.placement } : {}),
    });
    const plan = buildPlan(doc, nodeDefinitions, { partitions: PARTITIONS });
    const prefix = `drill-${randomUUID().slice(0, 8)}`;
    // The workers read these from their environment (worker-pool.ts).
    if (o.lockMs !== undefined) process.env.SLUICE_LOCK_MS = String(o.lockMs);
    if (o.slowSink) process.env.SLUICE_DRILL_SLOW_SINK = `${o.slowSink.ms}:${o.slowSink.every}`;
    if (o.startPause !== undefined) process.env.SLUICE_DRILL_START_PAUSE = String(o.startPause);
    if (o.sourceLeaseMs !== undefined) process.env.SLUICE_SOURCE_LEASE_MS = String(o.sourceLeaseMs);
    // SLUICE_DRILL_WORKER_LOG=1 shows the workers' own lines (debugging a drill).
    const stdio = process.env.SLUICE_DRILL_WORKER_LOG === '1' ? 'inherit' : 'ignore';
    const workers = o.workerLabels
      ? Array.from({ length: o.workers }, (_, i) => spawnWorker({ redisUrl: redis.url, prefix, labels: o.workerLabels![i] ?? [] }, stdio))
      : spawnWorkers(o.workers, { redisUrl: redis.url, prefix }, stdio).processes;
    const runner = new BullmqRunner({ redisUrl: redis.url, prefix });
    const drill = new YsbDrill(redis, redis.client(), runner, workers, dir, out, [], plan.nodes.get(SINK)!.stage, new RedisKeys(prefix));
    drill.spawnEnv = { redisUrl: redis.url, prefix };
    drill.sourcePartitions = o.sourceParallelism ?? 1;
    try {
      drill.expected = await embeddedOutput(o.events, dir, o.rate);
      drill.handle = await runner.deploy(doc, { baseDir: YSB_DIR, partitions: PARTITIONS, pipelineId: PID });
      return drill;
    } catch (err) {
      await drill.cleanup();
      throw err;
    }
  }

  /** Start one more worker (a worker joining mid-run). */
  addWorker(): ChildProcess {
    const w = spawnWorker(this.spawnEnv, process.env.SLUICE_DRILL_WORKER_LOG === '1' ? 'inherit' : 'ignore');
    this.workers.push(w);
    return w;
  }

  /**
   * Who holds each source partition now: the holder's process and fencing token, 'done' for an
   * ended partition, undefined for a free one (worker ids are mapped to pids by worker-info).
   */
  async sourceHolders(): Promise<({ pid: number; token: number } | 'done' | undefined)[]> {
    const leases = await this.probe.mget(
      ...Array.from({ length: this.sourcePartitions }, (_, p) => this.keys.sourceLease(PID, 'ad_events', p)),
    );
    const info = await this.probe.hgetall(this.keys.workerInfo);
    return leases.map((v) => {
      if (v === null) return undefined;
      if (v.startsWith('done:')) return 'done';
      const [worker, , token] = v.split(':');
      const pid = Number(JSON.parse(info[worker!] ?? '{}').pid);
      return { pid, token: Number(token) };
    });
  }

  /** The source partitions `w` holds now. */
  async sourcePartitionsOf(w: ChildProcess): Promise<number[]> {
    const holders = await this.sourceHolders();
    return holders.flatMap((h, p) => (typeof h === 'object' && h.pid === w.pid ? [p] : []));
  }

  /** SIGTERM and wait for the exit (it checkpoints and hands its partitions over first). */
  async terminate(w: ChildProcess): Promise<void> {
    await stopProcess(w, 'SIGTERM', WORKER_STOP_GRACE_MS * 3);
  }

  /** Windows the sink task has committed (its `in` counter). */
  async committedRows(): Promise<number> {
    await this.ensureRunning();
    const raw = await this.probe.get(this.keys.taskCounters(PID, this.sinkStage, 0));
    return raw ? (JSON.parse(raw).nodes[SINK]?.in ?? 0) : 0;
  }

  /** The run has ended (completed, failed or stopped). */
  runEnded(): boolean {
    return this.handle !== undefined && this.handle.status() !== 'running';
  }

  /**
   * A run that ended mid-drill deletes its keys, so a wait on them would only time out: fail at
   * once with how the run ended.
   */
  private async ensureRunning(): Promise<void> {
    if (!this.handle || this.handle.status() === 'running') return;
    const r = await this.handle.done;
    throw new Error(`the run ended ${r.status} in the middle of the drill${r.error ? `: ${r.error}` : ''}`);
  }

  /** Claims of the sink task that never committed: a job taken over (or a worker killed) after its claim. */
  async abandonedSinkClaims(): Promise<number> {
    const version = this.keys.taskVersion(PID, this.sinkStage, 0);
    await this.ensureRunning();
    const [claims, commits] = await Promise.all([this.probe.hget(`${version}:intent`, 'seq'), this.probe.get(version)]);
    return Number(claims ?? 0) - Number(commits ?? 0);
  }

  /** Jobs of the sink's queue that outlived their lock and went back to wait (BullMQ's 'stalled' events). */
  async stalledSinkJobs(): Promise<number> {
    await this.ensureRunning();
    const events = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}:events`;
    const entries = await this.probe.xrange(events, '-', '+');
    return entries.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled').length;
  }

  /** Waits until `share` (0..1) of the expected windows are committed. */
  async waitForShare(share: number, timeoutMs = 300_000): Promise<void> {
    const want = Math.ceil(this.expected.length * share);
    await waitUntil(async () => (await this.committedRows()) >= want, timeoutMs, `${want} windows committed`);
  }

  /** The worker process holding the sink queue's active job (BullMQ records the worker's name, `<id>:<pid>`). */
  async sinkHolder(timeoutMs = 60_000): Promise<ChildProcess> {
    const queue = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}`;
    let holder: ChildProcess | undefined;
    await waitUntil(
      async () => {
        for (const id of await this.probe.lrange(`${queue}:active`, 0, -1)) {
          const pid = Number((await this.probe.hget(`${queue}:${id}`, 'pb'))?.split(':')[1]);
          holder = this.workers.find((w) => w.pid === pid && w.exitCode === null);
          if (holder) return true;
        }
        return false;
      },
      timeoutMs,
      'a worker holding the sink queue',
    );
    return holder!;
  }

  /** The sink queue and its claim as Redis holds them: what a failed wait reports. */
  async sinkQueueState(): Promise<string> {
    const queue = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}`;
    const version = this.keys.taskVersion(PID, this.sinkStage, 0);
    const [wait, delayed, prioritized, stalled, active, intent, v] = await Promise.all([
      this.probe.llen(`${queue}:wait`),
      this.probe.zcard(`${queue}:delayed`),
      this.probe.zcard(`${queue}:prioritized`),
      this.probe.smembers(`${queue}:stalled`),
      this.probe.lrange(`${queue}:active`, 0, -1),
      this.probe.hgetall(`${version}:intent`),
      this.probe.get(version),
    ]);
    const jobs = await Promise.all(
      active.map(async (id) => {
        const [pb, attempts, lock] = await Promise.all([
          this.probe.hget(`${queue}:${id}`, 'pb'),
          this.probe.hget(`${queue}:${id}`, 'atm'),
          this.probe.exists(`${queue}:${id}:lock`),
        ]);
        return `${id} (worker ${pb}, attempts ${attempts}, lock ${lock ? 'held' : 'none'})`;
      }),
    );
    return `sink queue: wait ${wait}, delayed ${delayed}, prioritized ${prioritized}, stalled [${stalled.join(', ')}], active [${jobs.join('; ')}]; version ${v}, intent ${JSON.stringify(intent)}`;
  }

  /** The id of the newest event of the sink queue's BullMQ event stream ('0' when none). */
  async sinkEventsMark(): Promise<string> {
    const queue = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}`;
    const [last] = await this.probe.xrevrange(`${queue}:events`, '+', '-', 'COUNT', 1);
    return last?.[0] ?? '0';
  }

  /**
   * Whether BullMQ's stall check handed a sink job to another worker since `mark`: a job whose
   * holder stopped renewing its lock (a paused or dead worker) is moved back to wait, with a
   * `stalled` event.
   */
  async sinkJobStalledSince(mark: string): Promise<boolean> {
    const queue = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}`;
    const events = await this.probe.xrange(`${queue}:events`, `(${mark}`, '+');
    return events.some(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled');
  }

  /** The id of the sink job `w` holds (active under its name), if any. */
  async sinkJobHeldBy(w: ChildProcess): Promise<string | undefined> {
    const queue = `${this.keys.prefix}:${this.keys.queue(PID, this.sinkStage, 0)}`;
    for (const id of await this.probe.lrange(`${queue}:active`, 0, -1)) {
      if (Number((await this.probe.hget(`${queue}:${id}`, 'pb'))?.split(':')[1]) === w.pid) return id;
    }
    return undefined;
  }

  /**
   * SIGSTOP the worker holding the sink's job, verified to still hold one once stopped: a worker
   * stopped just as it finished its job holds nothing and would never be taken over, so it is
   * woken and the next holder is tried.
   */
  async pauseSinkHolder(timeoutMs = 60_000): Promise<{ holder: ChildProcess; job: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const holder = await this.sinkHolder(timeoutMs);
      this.pause(holder);
      // What it sent before the stop is already in Redis's socket buffer: two round trips of
      // ours later, Redis has run it, so the active list is what the stopped worker left.
      await this.probe.ping();
      await this.probe.ping();
      const job = await this.sinkJobHeldBy(holder);
      if (job !== undefined) return { holder, job };
      this.resume(holder);
      if (Date.now() > deadline) throw new Error(`no worker still held a sink job once stopped, within ${timeoutMs} ms`);
    }
  }

  /** SIGSTOP; cleanup sends SIGCONT (and SIGKILL) to whatever is still stopped. */
  pause(w: ChildProcess): void {
    this.stopped.add(w);
    w.kill('SIGSTOP');
  }

  resume(w: ChildProcess): void {
    w.kill('SIGCONT');
    this.stopped.delete(w);
  }

  async finish(timeoutMs = 600_000): Promise<DrillOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`run not done within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const result = await Promise.race([this.handle!.done, timeout]);
      // A worker woken after the run ended may still be finishing a stale job: the file is read
      // once every worker has stopped (SIGTERM lets in-flight jobs end), so late writes count.
      await Promise.all(this.workers.map((w) => (this.stopped.has(w) ? undefined : stopProcess(w, 'SIGTERM', WORKER_STOP_GRACE_MS))));
      const rows = readRows(this.out);
      keepOutputs(rows, this.expected);
      return {
        result,
        comparison: compareOutputs(this.expected, rows),
        fileRows: rows.length,
        reportedRows: result.metrics.nodes[SINK]?.in ?? -1,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Leaves nothing behind: workers (stopped ones too), the coordinator, Redis, files. */
  async cleanup(): Promise<void> {
    for (const w of this.workers) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      if (this.stopped.has(w)) w.kill('SIGCONT');
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGKILL');
      await exited;
    }
    if (this.handle?.status() === 'running') await this.handle.stop().catch(() => undefined);
    await this.runner.close().catch(() => undefined);
    this.probe.disconnect();
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Registers cleanup for a test file: each drill started is cleaned up after its test, pass or fail. */
export function drillStarter(): (o: YsbDrillOptions) => Promise<YsbDrill> {
  let current: YsbDrill | undefined;
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return async (o) => (current = await YsbDrill.start(o));
}

/** The drills' verdict: completed, every window once, and the run counts what the file holds. */
export function expectExact(o: DrillOutcome): void {
  expect(o.result.status, o.result.error).toBe('completed');
  const { lost, duplicated, wrong, examples } = o.comparison;
  expect({ lost, duplicated, wrong }, JSON.stringify(examples)).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
  expect(o.reportedRows).toBe(o.fileRows);
}

/** Reference outputs by event count: several drills of one size in a file compute it once. */
const references = new Map<string, Record<string, unknown>[]>();

/** The embedded engine's windows on the same events: the reference. */
async function embeddedOutput(events: number, dir: string, rate?: number): Promise<Record<string, unknown>[]> {
  const known = references.get(`${events}@${rate ?? 0}`);
  if (known) return known;
  const out = join(dir, 'embedded.jsonl');
  // Event times follow the rate: the reference is paced the same (and takes as long).
  const h = await new EmbeddedRunner().deploy(ysbDocumentFor(events, out, rate !== undefined ? { rate } : {}), { baseDir: YSB_DIR });
  const r = await h.done;
  if (r.status !== 'completed') throw new Error(`the embedded reference run ended ${r.status}: ${r.error}`);
  const rows = readRows(out);
  references.set(`${events}@${rate ?? 0}`, rows);
  return rows;
}

/**
 * With SLUICE_DRILL_DUMP=<path prefix>, both outputs are kept (<prefix>-<ms>-got.json and
 * -want.json): the verdict says how many windows differ, these say by how much, more or fewer.
 */
function keepOutputs(got: Record<string, unknown>[], want: Record<string, unknown>[]): void {
  const prefix = process.env.SLUICE_DRILL_DUMP;
  if (!prefix) return;
  const tag = `${prefix}-${Date.now()}`;
  writeFileSync(`${tag}-got.json`, JSON.stringify(got));
  writeFileSync(`${tag}-want.json`, JSON.stringify(want));
}

function readRows(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  const rows: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      rows.push({ unparsable: line.slice(0, 80) }); // a torn line is a wrong row, not a crash
    }
  }
  return rows;
}
