/**
 * Instruction counts of ONE BullMQ worker (issue 17): YSB on a Redis of its own, with one worker
 * under `valgrind --tool=callgrind` and CG_WORKERS - 1 plain ones, no CPU quota. Counts cover the
 * timed run only (zeroed before, dumped after, with callgrind_control), one file per thread.
 * Redis MONITOR over the timed run, split by client connection, says which commands and jobs that
 * worker made (its connections found with `ss -tnp`). Results are printed; analysis by hand
 * (bench/results/callgrind-workers-s15.md).
 *
 * Environment: CG_WORKERS (default 1), CG_EVENTS (default 200,000), CG_WARMUP (events per worker
 * of a warm-up run on the same workers, default 100,000), CG_SHAPE (source split and keyed partitions
 * max(2, n), default 1), CG_OUT (directory for the callgrind files and the monitor log; required), CG_PIN (below).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BullmqRunner, spawnWorkers, stopProcess } from '@sluice/engine';
import { ysbDocument } from './ysb-embedded.js';
import { OwnRedis } from '../test/faults/support/own-redis.js';
import { sluiceCommand } from '../engine/src/cli/spawn-workers.js';

const WORKERS = Number(process.env.CG_WORKERS ?? 1);
const EVENTS = Number(process.env.CG_EVENTS ?? 200_000);
const WARMUP = Number(process.env.CG_WARMUP ?? 100_000);
const SHAPE = Number(process.env.CG_SHAPE ?? 1);
const OUT = process.env.CG_OUT;
/**
 * CG_PIN=1: the source pinned to the valgrind worker (label `cg`), which then polls every event
 * whatever the number of workers; otherwise a slow worker joins last and may be given nothing.
 */
const PIN = process.env.CG_PIN === '1';
if (!OUT) throw new Error('CG_OUT: a directory for the callgrind files');
const YSB_DIR = new URL('../examples/ysb/', import.meta.url).pathname;
const ROOT = new URL('../', import.meta.url).pathname;

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A worker as spawnWorker starts it, under callgrind; node writes /tmp/perf-<pid>.map for the JIT frames. */
function callgrindWorker(redisUrl: string, prefix: string): ChildProcess {
  const args = [
    '--tool=callgrind',
    '--trace-children=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${OUT}/callgrind.out.%p`,
    process.execPath,
    '--perf-basic-prof',
    '--interpreted-frames-native-stack',
    ...sluiceCommand(['worker', '--quiet']),
  ];
  return spawn('valgrind', args, {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl, SLUICE_PREFIX: prefix, ...(PIN ? { SLUICE_WORKER_LABELS: 'cg' } : {}) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

async function runYsb(runner: BullmqRunner, events: number, sinkPath: string, id: string): Promise<void> {
  const doc = ysbDocument(events, sinkPath);
  doc.id = id;
  const source = doc.nodes.find((x) => x.id === 'ad_events') as { parallelism?: number; placement?: { labels: string[] } };
  source.parallelism = SHAPE;
  if (PIN) source.placement = { labels: ['cg'] };
  const h = await runner.deploy(doc, { baseDir: YSB_DIR, partitions: Math.max(2, SHAPE) });
  const res = await h.done;
  if (res.status !== 'completed') throw new Error(`${id}: run ${res.status}: ${res.error}`);
}

/** Local ports of `pid`'s connections to Redis on `port`. */
function clientPorts(pid: number, port: number): Set<string> {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  const ports = new Set<string>();
  for (const line of out.split('\n')) if (line.includes(`pid=${pid},`)) ports.add(line.trim().split(/\s+/)[2]!.split(':').pop()!);
  return ports;
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const redis = await OwnRedis.start();
const { port, url: redisUrl } = redis;
const prefix = `sluice-cg-${randomUUID().slice(0, 8)}`;
const runner = new BullmqRunner({ redisUrl, prefix });
const vg = callgrindWorker(redisUrl, prefix);
let vgErr = '';
vg.stderr!.on('data', (b: Buffer) => void (vgErr += b.toString()));
const plain = spawnWorkers(WORKERS - 1, { redisUrl, prefix });
const dir = mkdtempSync(join(tmpdir(), 'sluice-cg-'));
let monitor: ChildProcess | undefined;
try {
  await waitFor(`${WORKERS} workers`, 600_000, async () => (await runner.liveWorkers()) >= WORKERS);
  // As bench:scale: WARMUP events per worker, so each process has seen about as many.
  console.log(`workers live; warm-up of ${WARMUP * WORKERS} events`);
  if (WARMUP > 0) await runYsb(runner, WARMUP * WORKERS, join(dir, 'warmup.jsonl'), 'ysb-warmup');
  // The run's queues open new connections: their ports are sampled while it runs.
  const vgPorts = clientPorts(vg.pid!, port);
  const sampler = setInterval(() => {
    for (const p of clientPorts(vg.pid!, port)) vgPorts.add(p);
  }, 100);
  execFileSync('callgrind_control', ['-z', String(vg.pid)], { stdio: 'ignore' });
  const log = join(OUT, 'monitor.log');
  monitor = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  monitor.stdout!.on('data', (b: Buffer) => void (text += b.toString()));
  await new Promise((r) => setTimeout(r, 500));
  const load0 = loadavg()[0]!;
  const cpu0 = cpuSeconds(vg.pid!);
  const plainCpu0 = plain.processes.map((p) => cpuSeconds(p.pid!));
  const t0 = performance.now();
  await runYsb(runner, EVENTS, join(dir, 'counts.jsonl'), 'ysb');
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  for (const p of clientPorts(vg.pid!, port)) vgPorts.add(p);
  const cpu = cpuSeconds(vg.pid!) - cpu0;
  const plainCpu = plain.processes.map((p, i) => cpuSeconds(p.pid!) - plainCpu0[i]!);
  execFileSync('callgrind_control', ['-d', 'timed-run', String(vg.pid)], { stdio: 'ignore' });
  monitor.kill('SIGTERM');
  writeFileSync(log, text);
  // Commands by client: the callgrind worker's connections against the rest.
  const byClient = new Map<string, number>();
  const vgCommands = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\S+ \[\d+ [\d.]+:(\d+)\] "([^"]+)"(?: "([^"]*)")?/.exec(line);
    if (!m) continue;
    const mine = vgPorts.has(m[1]!);
    byClient.set(mine ? 'callgrind worker' : 'others', (byClient.get(mine ? 'callgrind worker' : 'others') ?? 0) + 1);
    if (mine) {
      const k = `${m[2]!.toLowerCase()} ${m[2]!.toLowerCase().startsWith('eval') ? (m[3] ?? '').slice(0, 8) : ''}`;
      vgCommands.set(k, (vgCommands.get(k) ?? 0) + 1);
    }
  }
  console.log(
    JSON.stringify(
      {
        workers: WORKERS,
        events: EVENTS,
        shape: SHAPE,
        seconds: Math.round(seconds * 100) / 100,
        callgrindWorkerCpuSeconds: cpu,
        plainWorkersCpuSeconds: plainCpu,
        load: [load0, loadavg()[0]],
        callgrindWorkerPid: vg.pid,
        callgrindWorkerPorts: [...vgPorts],
        commandsByClient: Object.fromEntries(byClient),
        callgrindWorkerCommands: Object.fromEntries([...vgCommands].sort((a, b) => b[1] - a[1])),
      },
      null,
      1,
    ),
  );
} finally {
  monitor?.kill('SIGTERM');
  await plain.stop();
  await stopProcess(vg, 'SIGTERM', 120_000);
  await runner.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  // node's JIT symbol map, for naming callgrind's JIT addresses: kept with the counts, not in /tmp.
  const map = `/tmp/perf-${vg.pid}.map`;
  if (existsSync(map)) {
    copyFileSync(map, join(OUT, `perf-${vg.pid}.map`));
    rmSync(map);
  }
  if (vg.exitCode !== 0 && vg.signalCode !== null) console.log(vgErr.slice(-2000));
}
