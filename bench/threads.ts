/**
 * `pnpm bench:threads`: keyed YSB from its generator on the embedded runner, on one thread (1
 * partition) and on the pooled partition threads (2 and 4 partitions, the generator split as
 * many ways: `parallelism`, so each thread polls its own share of the sequence numbers,
 * docs/embedded-threads.md). Every measured run is a process of its own (this file again, with
 * THREADS_BENCH_ONE): one warm-up run (it also starts the pool, so thread start is outside the
 * timing, as it is outside every run after a process's first), then the measured one. Run in one
 * process, the configurations shared its compiled code: the one-thread run after the others cost
 * about 1.4x its CPU per event in a process of its own (201 against 137-165 ns), which flattered
 * the threads. Rounds alternate the configurations' order. Per run: wall-clock events/s, and events per CPU second
 * of the whole process (every thread), which a loaded machine distorts less than wall clock:
 * with other work on the cores, threads cannot get more CPU than the others give them; and each
 * thread's CPU (thread-cpu.ts), whose busiest thread estimates what a quiet machine would show.
 * 4 M events by default: a 10 ms tick of per-thread accounting is then under 2 % of a run. Load
 * average is recorded at every round. The outputs are compared: every configuration must write
 * the same windows. Writes bench/results/threads.{md,json}.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedRunner } from '@sluice/engine';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';
import { threadCpu, threadTicks } from './thread-cpu.js';
import { ysbDocument } from './ysb-embedded.js';

const EVENTS = Number(process.env.THREADS_BENCH_EVENTS ?? 4_000_000);
const ROUNDS = Number(process.env.THREADS_BENCH_ROUNDS ?? 3);
const YSB_DIR = new URL('../examples/ysb/', import.meta.url).pathname;

interface Config {
  name: string;
  partitions: number;
  threads: boolean;
}
const CONFIGS: Config[] = [
  { name: '1 partition, one thread', partitions: 1, threads: false },
  { name: '2 partitions, one thread (threads off)', partitions: 2, threads: false },
  { name: '2 partitions on threads', partitions: 2, threads: true },
  { name: '4 partitions on threads', partitions: 4, threads: true },
];

interface Sample {
  wall: number;
  cpu: number;
  /** CPU seconds of the run's busiest thread, and what a quiet machine would take (thread-cpu.ts). */
  busiest: number;
  quietWall: number;
  load: number;
}

async function once(c: Config, out: string): Promise<Sample> {
  const doc = ysbDocument(EVENTS, out);
  // The generator split as many ways as there are partitions: each thread polls its own share.
  (doc.nodes.find((n) => n.id === 'ad_events') as { parallelism?: number }).parallelism = c.partitions;
  const runner = new EmbeddedRunner({ threads: c.threads });
  const load = loadavg()[0]!;
  const ticks0 = threadTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const h = await runner.deploy(doc, { baseDir: YSB_DIR, batchSize: 1000, partitions: c.partitions });
  const r = await h.done;
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const threads = threadCpu(ticks0, threadTicks());
  if (r.status !== 'completed') throw new Error(`${c.name}: ${r.status} ${r.error ?? ''}`);
  return { wall, cpu: (used.user + used.system) / 1e6, busiest: threads.busiest, quietWall: threads.quietWall, load };
}

const outFile = (dir: string, c: Config) => join(dir, `out-${c.partitions}-${c.threads}.jsonl`);

/** A child's run: a warm-up, then the measured run, its sample as the last line of its output. */
async function child(index: number, dir: string): Promise<void> {
  const c = CONFIGS[index]!;
  await once(c, outFile(dir, c));
  const s = await once(c, outFile(dir, c));
  process.stdout.write(`${JSON.stringify(s)}\n`);
  process.exit(0);
}

/** One configuration's measured run in a process of its own, with this process's node flags. */
function inChild(index: number, dir: string): Sample {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, THREADS_BENCH_ONE: String(index), THREADS_BENCH_DIR: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${CONFIGS[index]!.name}: exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Sample;
}

if (process.env.THREADS_BENCH_ONE !== undefined) await child(Number(process.env.THREADS_BENCH_ONE), process.env.THREADS_BENCH_DIR!);

const meta = startRunMeta();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-threads-'));
try {
  const samples = new Map<string, Sample[]>(CONFIGS.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (const c of round % 2 === 0 ? CONFIGS : [...CONFIGS].reverse()) {
      const s = inChild(CONFIGS.indexOf(c), dir);
      samples.get(c.name)!.push(s);
      process.stdout.write(
        `round ${round + 1}, ${c.name}: ${Math.round(EVENTS / s.wall / 1000)}k ev/s, ${Math.round(EVENTS / s.cpu / 1000)}k ev/CPU-s, busiest thread ${s.busiest.toFixed(2)} CPU-s, load ${s.load.toFixed(1)}\n`,
      );
    }
  const end = endRunMeta(meta);
  // The same windows from every configuration (sorted: partitions write in their own order).
  const lines = (c: Config) => readFileSync(outFile(dir, c), 'utf8').trim().split('\n').sort();
  const reference = lines(CONFIGS[0]!);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
  };
  const rows = CONFIGS.map((c) => {
    const list = samples.get(c.name)!;
    const same = JSON.stringify(lines(c)) === JSON.stringify(reference);
    return {
      ...c,
      wall: stats(list.map((s) => EVENTS / s.wall)),
      perCpu: stats(list.map((s) => EVENTS / s.cpu)),
      cpuSeconds: stats(list.map((s) => s.cpu)),
      nsPerEvent: stats(list.map((s) => (s.cpu * 1e9) / EVENTS)),
      busiestThreadSeconds: stats(list.map((s) => s.busiest)),
      quietWallSeconds: stats(list.map((s) => s.quietWall)),
      load: stats(list.map((s) => s.load)),
      windows: reference.length,
      same,
    };
  });
  const base = rows[0]!;
  const baseSamples = samples.get(base.name)!;
  // Pair by pair (round i of one configuration against round i of 1 partition): drift cancels out.
  const paired = (name: string, of: (s: Sample) => number) => stats(samples.get(name)!.map((s, i) => of(baseSamples[i]!) / of(s)));
  const k = (x: number) => `${Math.round(x / 1000)}k`;
  const range = (s: { min: number; median: number; max: number }) => `${k(s.min)} / **${k(s.median)}** / ${k(s.max)}`;
  const ratio = (s: { min: number; median: number; max: number }) => `**${s.median.toFixed(2)}** (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
  const md = [
    '# Keyed YSB on partition threads (`pnpm bench:threads`)',
    '',
    metaMarkdown(end),
    '',
    `${EVENTS.toLocaleString('en')} events from the generator (split into as many source partitions as partitions), batch 1000; ${ROUNDS} rounds, the configurations alternating, each run in a process of its own after a warm-up run of the same configuration (it starts the thread pool). Figures are min / **median** / max; ratios are to 1 partition, round by round (**median**, min-max). CPU counts every thread of the process. The busiest thread's CPU and the quiet-machine estimate come from the kernel's per-thread accounting: on a quiet machine a run whose threads never wait takes about its busiest thread's CPU (or its total CPU over the ${end.machine.cores} cores, if more), so the estimate's ratio is what an idle machine would show at best.`,
    '',
    '| configuration | wall-clock ev/s | wall-clock ratio | CPU ns per event | CPU per event vs 1 partition | busiest thread, CPU s | quiet-machine estimate, ratio | load (1 min) | same windows as 1 partition |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${range(r.wall)} | ${ratio(paired(r.name, (s) => s.wall))} | ${r.nsPerEvent.min.toFixed(0)} / **${r.nsPerEvent.median.toFixed(0)}** / ${r.nsPerEvent.max.toFixed(0)} | ${ratio(paired(r.name, (s) => 1 / s.cpu))} | ${r.busiestThreadSeconds.median.toFixed(2)} | ${ratio(paired(r.name, (s) => s.quietWall))} | ${r.load.min.toFixed(1)}-${r.load.max.toFixed(1)} | ${r.same ? `yes (${r.windows})` : '**no**'} |`,
    ),
    '',
  ].join('\n');
  writeFileSync(new URL('./results/threads.md', import.meta.url), md);
  writeFileSync(
    new URL('./results/threads.json', import.meta.url),
    `${JSON.stringify({ meta: end, events: EVENTS, rows, samples: Object.fromEntries(samples) }, null, 2)}\n`,
  );
  process.stdout.write(md);
  if (rows.some((r) => !r.same)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
