/**
 * `pnpm bench:scale`: YSB on the BullMQ runner with 1, 2, 4 and 8 workers, each held to a
 * quarter of a core by a cgroup CPU quota, on a Redis of its own (so other work on the shared
 * Redis does not blur the command and CPU counts). Reports events/s, scaling efficiency, Redis
 * commands per event and Redis CPU seconds per million events, and what those predict for one
 * Redis and a 3-shard cluster. Also runs unlimited workers. Results: bench/results/scale.{json,md}.
 *
 * Environment: SCALE_EVENTS (default 1,000,000), SCALE_WORKERS (default "1,2,4,8"),
 * SCALE_QUOTA (fraction of a core per worker, default 0.25), SCALE_UNLIMITED ("1,2", or "" to skip),
 * SCALE_WARMUP (events per worker of a warm-up run on the same workers before each timed run,
 * default 150,000; 0 for cold workers), SCALE_SHAPE (below), SCALE_CPU_PROF (below),
 * SCALE_JOB_GROUP (jobs a keyed task may apply as one step; default the runner's, 1 for one job a step),
 * SCALE_PROBE=1 (measure the split source's event-time skew and what task commits write: scale-probe.ts),
 * SCALE_DRIFTS (watermark alignment's drift per run, e.g. "off,10000": each worker count runs once
 * per value, in that order, for paired A/B; default: the runner's default only).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BullmqRunner, JOB_GROUP_DEFAULTS, type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { ysbDocument } from './ysb-embedded.js';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';
import { type CpuLimiter, cpuLimiter } from './cpu-limiter.js';
import { commitProbeKey, describeProbe, type ProbeResult, ScaleProbe } from './scale-probe.js';

const YSB_DIR = new URL('../examples/ysb/', import.meta.url).pathname;
const EVENTS = Number(process.env.SCALE_EVENTS ?? 1_000_000);
const WORKER_COUNTS = (process.env.SCALE_WORKERS ?? '1,2,4,8').split(',').filter(Boolean).map(Number);
const QUOTA = Number(process.env.SCALE_QUOTA ?? 0.25);
const UNLIMITED = (process.env.SCALE_UNLIMITED ?? '1,2').split(',').filter(Boolean).map(Number);
/**
 * SCALE_SHAPE=<n>: split the source in n and key n partitions whatever the number of workers
 * (default: as many as workers). N workers with the shape of one tell per-process costs from
 * the costs of a pipeline cut in more pieces.
 */
const SHAPE = process.env.SCALE_SHAPE ? Number(process.env.SCALE_SHAPE) : undefined;
/** Events per worker of the warm-up run before each timed one (0: none, workers start cold). */
const WARMUP = Number(process.env.SCALE_WARMUP ?? 150_000);
/** SCALE_JOB_GROUP=<n>: at most n jobs a step for keyed tasks (1: one job a step, as before job groups). */
const JOB_GROUP = process.env.SCALE_JOB_GROUP ? Number(process.env.SCALE_JOB_GROUP) : undefined;
const PROBE = process.env.SCALE_PROBE === '1';
/** Watermark alignment drifts to run (ms, or "off"); undefined: the runner's default. */
const DRIFTS: (number | undefined)[] = process.env.SCALE_DRIFTS
  ? process.env.SCALE_DRIFTS.split(',').map((d) => (d === 'off' ? Number.POSITIVE_INFINITY : Number(d)))
  : [undefined];

/**
 * SCALE_CPU_PROF=<dir>: workers started with `node --cpu-prof` (not allowed in NODE_OPTIONS), a
 * profile each in <dir> when it exits: where a worker's time goes.
 */
const PROFILE_DIR = process.env.SCALE_CPU_PROF;
function profiledWorkers(n: number, redisUrl: string, prefix: string, dir: string): LocalWorkers {
  const root = new URL('../', import.meta.url).pathname;
  const args = [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    '--max-semi-space-size=64',
    '--import',
    'tsx',
    'engine/src/cli/main.ts',
    'worker',
    '--quiet',
  ];
  const processes = Array.from({ length: n }, () =>
    spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, REDIS_URL: redisUrl, SLUICE_PREFIX: prefix },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  return { processes, stop: async () => void (await Promise.all(processes.map((p) => stopProcess(p, 'SIGTERM', 30_000)))) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; proc: ChildProcess; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-scale-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // not up yet: the loop tries again
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') {
        r.disconnect();
        return { url, proc, dir };
      }
    } catch {
      r.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RedisCounters {
  calls: number;
  cpuSeconds: number;
  /** BZPOPMIN calls: an idle BullMQ worker's blocking wait, one per job that finds its queue drained. */
  blockingWaits: number;
  /** Connections Redis accepted, and scripts sent in full (EVAL): BullMQ defines its scripts on each new connection. */
  connections: number;
  scriptSends: number;
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const stats = await redis.info('commandstats');
  let calls = 0;
  for (const m of stats.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  const blockingWaits = Number(/cmdstat_bzpopmin:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  const scriptSends = Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  const connections = Number(/total_connections_received:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
  const cpu = await redis.info('cpu');
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  return { calls, cpuSeconds: sys + user, blockingWaits, connections, scriptSends };
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 once it has exited). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/**
 * A process's main thread (its event loop) from /proc/<pid>/schedstat: seconds it ran and seconds
 * it was runnable but waited for a CPU (0s once it has exited). Wall time minus both is the time
 * it was blocked: waiting for Redis, a timer, or nothing to do.
 */
function mainThreadSched(pid: number | undefined): { running: number; runQueue: number } {
  if (pid === undefined) return { running: 0, runQueue: 0 };
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { running: (run ?? 0) / 1e9, runQueue: (wait ?? 0) / 1e9 };
  } catch {
    return { running: 0, runQueue: 0 };
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds of a process's threads so far, by kind of thread and user/system: where a worker's
 * time goes beyond what its JavaScript profile sees (the main thread's system time is mostly
 * socket I/O; the helper threads are V8's compilers and garbage collector, and libuv's pool).
 */
function threadCpuSeconds(pid: number | undefined, into: Map<string, number> = new Map()): Map<string, number> {
  if (pid === undefined) return into;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return into;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Node names every thread `node`: the main one is the process's own id.
      const kind = tid === String(pid) ? 'main' : 'helpers';
      into.set(`${kind} user`, (into.get(`${kind} user`) ?? 0) + Number(f[11]) / CLOCK_TICKS);
      into.set(`${kind} sys`, (into.get(`${kind} sys`) ?? 0) + Number(f[12]) / CLOCK_TICKS);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return into;
}

interface ScaleResult {
  workers: number;
  limited: boolean;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  redisCommandsPerEvent: number;
  redisCpuSecondsPerMillion: number;
  /** Worker processes' CPU seconds (user + system) per million events: what a quiet machine's rate follows. */
  workerCpuSecondsPerMillion: number;
  /** Idle BullMQ workers' blocking waits (BZPOPMIN) in the run: jobs handed to a worker that had drained its queue. */
  blockingWaits: number;
  /** Connections Redis accepted in the run (workers' and coordinator's), and Lua scripts sent in full (EVAL). */
  connections: number;
  scriptSends: number;
  /** Each worker's CPU seconds in the run: an uneven share shows a worker that does more. */
  eachWorkerCpuSeconds: number[];
  /** The workers' CPU seconds per million events by thread kind and user/system (threadCpuSeconds). */
  workerCpuByThread: Record<string, number>;
  /** This process (the coordinator) per million events. */
  coordinatorCpuSecondsPerMillion: number;
  /** Load average (1 min) at the start and end of the run. */
  load: [number, number];
  /** Watermark alignment's drift of the run (ms; Infinity: off; absent: the runner's default). */
  maxDriftMs?: number;
  /** SCALE_PROBE: skew and commit sizes. */
  probe?: ProbeResult;
  /**
   * The workers' main threads over the run, seconds summed over workers: running, runnable but
   * waiting for a CPU (the machine's load), and blocked (waiting for Redis or a timer: what a
   * quiet machine does not take away).
   */
  workerMainThread: { running: number; runQueue: number; blocked: number };
}

/** Whether the generator declares `parallelism` (sources split across workers): set it where it does. */
function withSourceParallelism(doc: ReturnType<typeof ysbDocument>, n: number): boolean {
  const gen = doc.nodes.find((x) => x.id === 'ad_events')! as { parallelism?: number };
  if (process.env.SCALE_SPLIT_SOURCES === '0') return false;
  gen.parallelism = n;
  return true;
}

/** YSB with `events` events under pipeline id `id`, its source split across the workers; resolves when it completed. */
async function runYsb(
  runner: BullmqRunner,
  workers: number,
  events: number,
  sinkPath: string,
  id: string,
  maxDriftMs: number | undefined,
): Promise<void> {
  const doc = ysbDocument(events, sinkPath);
  doc.id = id;
  const shape = SHAPE ?? workers;
  const split = withSourceParallelism(doc, shape);
  const options = { baseDir: YSB_DIR, partitions: Math.max(2, shape), ...(maxDriftMs !== undefined ? { maxDriftMs } : {}) };
  let h: Awaited<ReturnType<BullmqRunner['deploy']>>;
  try {
    h = await runner.deploy(doc, options);
  } catch (err) {
    if (!split) throw err;
    say(`the deploy with the source split in ${workers} was refused (${(err as Error).message}): running it unsplit`);
    delete (doc.nodes.find((x) => x.id === 'ad_events') as { parallelism?: number }).parallelism;
    h = await runner.deploy(doc, options);
  }
  const res = await h.done;
  if (res.status !== 'completed') throw new Error(`${id}: run ${res.status}: ${res.error}`);
}

async function runOnce(
  redisUrl: string,
  workers: number,
  limiter: CpuLimiter | undefined,
  maxDriftMs: number | undefined,
): Promise<ScaleResult> {
  const prefix = `sluice-bench-${randomUUID().slice(0, 8)}`;
  // Read by the workers when they start (commit-probe.ts).
  if (PROBE) process.env.SLUICE_PROBE_COMMITS = commitProbeKey(prefix);
  const runner = new BullmqRunner({ redisUrl, prefix, ...(JOB_GROUP ? { jobGroup: { ...JOB_GROUP_DEFAULTS, jobs: JOB_GROUP } } : {}) });
  const admin = new Redis(redisUrl);
  const local = PROFILE_DIR ? profiledWorkers(workers, redisUrl, prefix, PROFILE_DIR) : spawnWorkers(workers, { redisUrl, prefix });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-scale-'));
  try {
    local.processes.forEach((p, i) => {
      if (limiter && p.pid !== undefined) limiter.limit(p.pid, `w${i}`);
    });
    const deadline = Date.now() + 120_000;
    while ((await runner.liveWorkers()) < workers) {
      if (Date.now() > deadline) throw new Error(`${workers} workers did not start within 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Warm-up: long-lived workers have compiled their hot code; fresh ones pay it again each
    // (about 0.3 CPU s of V8's compilers per worker), which N workers would pay N times.
    if (WARMUP > 0) await runYsb(runner, workers, WARMUP * workers, join(dir, 'warmup.jsonl'), 'ysb-warmup', maxDriftMs);
    const probe = PROBE ? new ScaleProbe(admin, prefix, 'ysb', 'ad_events', SHAPE ?? workers) : undefined;
    await probe?.start();
    const before = await redisCounters(admin);
    const load0 = loadavg()[0]!;
    const eachCpu0 = local.processes.map((p) => processCpuSeconds(p.pid));
    const threads0 = local.processes.reduce((m, p) => threadCpuSeconds(p.pid, m), new Map<string, number>());
    const selfCpu0 = process.cpuUsage();
    const sched0 = local.processes.map((p) => mainThreadSched(p.pid));
    const start = performance.now();
    await runYsb(runner, workers, EVENTS, join(dir, 'counts.jsonl'), 'ysb', maxDriftMs);
    const seconds = (performance.now() - start) / 1000;
    const probed = await probe?.stop();
    const sched = local.processes.map((p, i) => {
      const now = mainThreadSched(p.pid);
      return { running: now.running - sched0[i]!.running, runQueue: now.runQueue - sched0[i]!.runQueue };
    });
    const after = await redisCounters(admin);
    const eachCpu = local.processes.map((p, i) => processCpuSeconds(p.pid) - eachCpu0[i]!);
    const workersCpu = eachCpu.reduce((t, c) => t + c, 0);
    const threads = local.processes.reduce((m, p) => threadCpuSeconds(p.pid, m), new Map<string, number>());
    const self = process.cpuUsage(selfCpu0);
    const perMillion = (s: number) => Math.round((s / EVENTS) * 1e6 * 100) / 100;
    return {
      workers,
      limited: limiter !== undefined,
      events: EVENTS,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSecond: Math.round(EVENTS / seconds),
      redisCommandsPerEvent: Math.round(((after.calls - before.calls) / EVENTS) * 1000) / 1000,
      blockingWaits: after.blockingWaits - before.blockingWaits,
      connections: after.connections - before.connections,
      scriptSends: after.scriptSends - before.scriptSends,
      redisCpuSecondsPerMillion: perMillion(after.cpuSeconds - before.cpuSeconds),
      workerCpuSecondsPerMillion: perMillion(workersCpu),
      eachWorkerCpuSeconds: eachCpu.map((c) => Math.round(c * 100) / 100),
      workerCpuByThread: Object.fromEntries([...threads].map(([k, v]) => [k, perMillion(v - (threads0.get(k) ?? 0))])),
      coordinatorCpuSecondsPerMillion: perMillion((self.user + self.system) / 1e6),
      load: [Math.round(load0 * 100) / 100, Math.round(loadavg()[0]! * 100) / 100],
      workerMainThread: threadSplit(sched, seconds),
      ...(maxDriftMs !== undefined ? { maxDriftMs } : {}),
      ...(probed ? { probe: probed } : {}),
    };
  } finally {
    await local.stop();
    limiter?.release();
    await runner.close();
    admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(r: ScaleResult): string {
  const threads = Object.entries(r.workerCpuByThread)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const drift = r.maxDriftMs === undefined ? '' : `drift ${Number.isFinite(r.maxDriftMs) ? `${r.maxDriftMs} ms` : 'off'}: `;
  const probe = r.probe ? `; ${describeProbe(r.probe)}` : '';
  return `${drift}${r.eventsPerSecond.toLocaleString('en')} ev/s (${r.seconds} s; CPU s per M events: workers ${r.workerCpuSecondsPerMillion} [${threads}; each worker's CPU s ${r.eachWorkerCpuSeconds.join(', ')}], Redis ${r.redisCpuSecondsPerMillion} (${r.blockingWaits} blocking waits, ${r.connections} connections opened, ${r.scriptSends} scripts sent in full), coordinator ${r.coordinatorCpuSecondsPerMillion}; load ${r.load.join(' -> ')})${probe}`;
}

/** Main thread user + system, helper threads (user + system), and each worker's total: two table cells. */
function threadCells(r: ScaleResult): string {
  const t = (k: string) => r.workerCpuByThread[k] ?? 0;
  const helpers = Math.round((t('helpers user') + t('helpers sys')) * 100) / 100;
  return `${t('main user')} + ${t('main sys')}, ${helpers} | ${r.eachWorkerCpuSeconds.join(', ')}`;
}

/** Summed over workers, rounded to 10 ms. */
function threadSplit(sched: readonly { running: number; runQueue: number }[], seconds: number): ScaleResult['workerMainThread'] {
  const r = (x: number) => Math.round(x * 100) / 100;
  const running = sched.reduce((t, s) => t + s.running, 0);
  const runQueue = sched.reduce((t, s) => t + s.runQueue, 0);
  return { running: r(running), runQueue: r(runQueue), blocked: r(Math.max(0, sched.length * seconds - running - runQueue)) };
}

/** The workers' main threads over a run, for the printed line. */
function threadLine(r: ScaleResult): string {
  const t = r.workerMainThread;
  return `workers' main threads: running ${t.running} s, waiting for a CPU ${t.runQueue} s, blocked ${t.blocked} s`;
}

function say(s: string): void {
  process.stdout.write(`${s}\n`);
}
const meta = startRunMeta();
const limiterOrWhy = cpuLimiter(QUOTA);
const limiter = 'limit' in limiterOrWhy ? limiterOrWhy : undefined;
say(`# bench:scale: YSB, ${EVENTS.toLocaleString('en')} events`);
say(limiter ? `CPU limit per worker: ${QUOTA} core, ${limiter.kind}` : `no CPU limit: ${(limiterOrWhy as { reason: string }).reason}`);
const redis = await startRedis();
const limited: ScaleResult[] = [];
const unlimited: ScaleResult[] = [];
try {
  if (limiter) {
    for (const n of WORKER_COUNTS) {
      for (const drift of DRIFTS) {
        const r = await runOnce(redis.url, n, limiter, drift);
        limited.push(r);
        say(`${n} worker(s) at ${QUOTA} core: ${describe(r)}; ${threadLine(r)}`);
      }
    }
  }
  for (const n of UNLIMITED) {
    const r = await runOnce(redis.url, n, undefined, DRIFTS[0]);
    unlimited.push(r);
    say(`${n} worker(s), no limit: ${describe(r)}; ${threadLine(r)}`);
  }
} finally {
  redis.proc.kill('SIGKILL');
  rmSync(redis.dir, { recursive: true, force: true });
}

const one = limited.find((r) => r.workers === 1);
const efficiency = (r: ScaleResult) => (one ? Math.round((r.eventsPerSecond / (r.workers * one.eventsPerSecond)) * 100) / 100 : undefined);
/**
 * What CPU alone predicts: N workers each bound by its own quota run at N x quota / (their CPU per
 * event), so efficiency = one worker's CPU per event / N workers'. The measured figure also
 * carries the machine's load (a quota is a cap, not a guarantee).
 */
const cpuEfficiency = (r: ScaleResult) =>
  one && r.workerCpuSecondsPerMillion > 0
    ? Math.round((one.workerCpuSecondsPerMillion / r.workerCpuSecondsPerMillion) * 100) / 100
    : undefined;
const all = [...limited, ...unlimited];
const cpuPerM = all.reduce((s, r) => s + r.redisCpuSecondsPerMillion, 0) / Math.max(1, all.length);
const cmdsPerEvent = all.reduce((s, r) => s + r.redisCommandsPerEvent, 0) / Math.max(1, all.length);
// One Redis runs commands on one core: at 1 CPU second per second it is saturated.
const saturation = cpuPerM > 0 ? Math.round(1e6 / cpuPerM) : undefined;
const end = endRunMeta(meta);
const record = {
  meta: end,
  cpuLimit: limiter ? { quota: QUOTA, how: limiter.kind } : { quota: null, why: (limiterOrWhy as { reason: string }).reason },
  limited: limited.map((r) => ({ ...r, efficiency: efficiency(r), cpuEfficiency: cpuEfficiency(r) })),
  unlimited,
  redis: {
    commandsPerEvent: Math.round(cmdsPerEvent * 1000) / 1000,
    cpuSecondsPerMillionEvents: Math.round(cpuPerM * 100) / 100,
    predictedSaturationOneRedis: saturation,
    predictedSaturationThreeShards: saturation === undefined ? undefined : saturation * 3,
  },
};
const lines = [
  metaMarkdown(end),
  '',
  `YSB, ${EVENTS.toLocaleString('en')} events, a Redis of its own. ${record.cpuLimit.quota ? `Each worker held to ${QUOTA} core by ${limiter!.kind}.` : `No CPU limit: ${(record.cpuLimit as { why: string }).why}.`} Keyed partitions: max(2, workers); the generator split across the workers where this build supports \`parallelism\`${SHAPE ? ` (here: split in ${SHAPE} and ${Math.max(2, SHAPE)} keyed partitions whatever the workers, SCALE_SHAPE)` : ''}. ${WARMUP > 0 ? `Before each timed run the same workers ran a warm-up YSB of ${WARMUP.toLocaleString('en')} events per worker (long-lived workers have compiled their hot code; SCALE_WARMUP=0 for cold ones).` : 'Cold workers: no warm-up run (SCALE_WARMUP=0).'} CPU is each process's user + system time from /proc over the timed run.`,
  '',
  '| workers | CPU limit | events/s | seconds | efficiency | efficiency CPU predicts | Redis commands / event | Redis CPU s / M events | workers CPU s / M events | of which main thread user + sys, helper threads | each worker CPU s | coordinator CPU s / M events | load (1 min) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...record.limited.map(
    (r) =>
      `| ${r.workers} | ${QUOTA} core each | ${r.eventsPerSecond.toLocaleString('en')} | ${r.seconds} | ${r.efficiency ?? ''} | ${r.cpuEfficiency ?? ''} | ${r.redisCommandsPerEvent} | ${r.redisCpuSecondsPerMillion} | ${r.workerCpuSecondsPerMillion} | ${threadCells(r)} | ${r.coordinatorCpuSecondsPerMillion} | ${r.load.join(' -> ')} |`,
  ),
  ...unlimited.map(
    (r) =>
      `| ${r.workers} | none | ${r.eventsPerSecond.toLocaleString('en')} | ${r.seconds} | | | ${r.redisCommandsPerEvent} | ${r.redisCpuSecondsPerMillion} | ${r.workerCpuSecondsPerMillion} | ${threadCells(r)} | ${r.coordinatorCpuSecondsPerMillion} | ${r.load.join(' -> ')} |`,
  ),
  '',
  `Efficiency: events/s with N workers / (N x one worker's); what CPU predicts: one worker's CPU s per M events / N workers'. Redis: ${record.redis.commandsPerEvent} commands per event, ${record.redis.cpuSecondsPerMillionEvents} CPU s per million events on average, so one Redis (one core of commands) saturates near ${saturation?.toLocaleString('en') ?? '?'} events/s, and a 3-shard cluster near ${record.redis.predictedSaturationThreeShards?.toLocaleString('en') ?? '?'} events/s if the queues spread evenly over the shards.`,
];
const out = new URL('./results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'scale.json'), `${JSON.stringify(record, null, 2)}\n`);
writeFileSync(join(out, 'scale.md'), `# bench:scale\n\n${lines.join('\n')}\n`);
say('\nwritten to bench/results/scale.json and .md');
