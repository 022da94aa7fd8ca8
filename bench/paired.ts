/**
 * A before/after of issue 14 targets 1 and 2, paired in one run: a copy of the project before a
 * change (`--before <dir>`, with its node_modules) and this one, run alternately, round by round,
 * each round in its own process after the same warm-up:
 *
 *   node --import tsx bench/paired.ts --before /tmp/perf-base [--after <dir>] [--rounds 3] [--in-process 3] [--events 3000000] [--out name]
 *
 * (`--after`: another copy to run as the after side; default: this one.)
 *
 * - YSB in memory / the tight hand-written loop (bench/paired-child.ts: a warm-up, then
 *   `--in-process` rounds, as `pnpm bench`), by wall clock and by CPU time of each (the machine
 *   is shared: CPU time moves less with what else runs);
 * - a chain of 10 maps against 1 map: the sweep's point (bench/sweep/point-main.ts, 2 M events,
 *   1,000 keys), wall clock and CPU time.
 *
 * Prints median (min, max) of the rounds and writes bench/results/<out>.{md,json}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runNodeChild } from './bench-util.js';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    'in-process': { type: 'string' },
    rounds: { type: 'string' },
    events: { type: 'string' },
    out: { type: 'string' },
  },
});
if (values.before === undefined) throw new Error('paired: --before <dir> (a copy of the project before the change) is required');
const ROOTS = { before: values.before, after: values.after ?? new URL('..', import.meta.url).pathname };
const ROUNDS = Number(values.rounds ?? 3);
const IN_PROCESS = Number(values['in-process'] ?? 3);
const EVENTS = Number(values.events ?? 3_000_000);
const OUT = values.out ?? 'paired';
const NODE = ['--max-semi-space-size=64', '--import', 'tsx'];
const HERE = new URL('.', import.meta.url).pathname;

type Side = keyof typeof ROOTS;
interface Round {
  /** One per in-process round. */
  ysbWall: number[];
  ysbCpu: number[];
  chainWall: number;
  chainCpu: number;
  load: number;
}

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const load1 = async () => (await import('node:os')).loadavg()[0]!;

async function child(args: string[], cwd: string): Promise<Record<string, unknown>> {
  const r = await runNodeChild([...NODE, ...args], cwd, 15 * 60_000);
  if (r.code !== 0) throw new Error(`paired: ${args.join(' ')} in ${cwd} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.lastLine) as Record<string, unknown>;
}

interface Point {
  seconds: number;
  cpuSeconds: number;
  results: number;
  expectedResults: number;
}

async function chainPoint(root: string, chain: number): Promise<Point> {
  const spec = { events: 2_000_000, keys: 1000, chain, partitions: 1, windows: 4, contender: 'sluice' };
  const p = (await child([join(root, 'bench/sweep/point-main.ts'), JSON.stringify(spec)], root)) as unknown as Point;
  if (p.results !== p.expectedResults)
    throw new Error(`paired: chain ${chain} in ${root}: ${p.results} results, expected ${p.expectedResults}`);
  return p;
}

async function round(side: Side): Promise<Round> {
  const root = ROOTS[side];
  const load = await load1();
  type Pass = { seconds: number; cpuSeconds: number; windows: number };
  const ys = (await child([join(HERE, 'paired-child.ts'), root, String(EVENTS), String(IN_PROCESS)], root)) as unknown as {
    sluice: Pass;
    tight: Pass;
  }[];
  for (const y of ys)
    if (y.sluice.windows !== y.tight.windows)
      throw new Error(`paired: ${side}: Sluice made ${y.sluice.windows} windows, the loop ${y.tight.windows}`);
  const one = await chainPoint(root, 1);
  const ten = await chainPoint(root, 10);
  const r: Round = {
    ysbWall: ys.map((y) => y.tight.seconds / y.sluice.seconds),
    ysbCpu: ys.map((y) => y.tight.cpuSeconds / y.sluice.cpuSeconds),
    chainWall: ten.seconds / one.seconds,
    chainCpu: ten.cpuSeconds / one.cpuSeconds,
    load,
  };
  const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(' ');
  say(
    `${side.padEnd(6)} YSB/tight per round: wall ${list(r.ysbWall)}, cpu ${list(r.ysbCpu)} (last round: Sluice ${(EVENTS / ys.at(-1)!.sluice.seconds / 1e6).toFixed(2)} M ev/s, ` +
      `loop ${(EVENTS / ys.at(-1)!.tight.seconds / 1e6).toFixed(2)}); 10 maps/1 map wall ${r.chainWall.toFixed(2)}x cpu ${r.chainCpu.toFixed(2)}x ` +
      `(1 map ${(2 / one.seconds).toFixed(2)} M ev/s, 10 maps ${(2 / ten.seconds).toFixed(2)}); load1 ${load.toFixed(1)}`,
  );
  return r;
}

const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  // An even count: the mean of the two middle values.
  const median = s.length % 2 === 1 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
};
const fmt = (x: { median: number; min: number; max: number }, d: number) =>
  `${x.median.toFixed(d)} (${x.min.toFixed(d)}-${x.max.toFixed(d)})`;

const meta = startRunMeta();
say(metaMarkdown(meta));
say(
  `\nbefore: ${ROOTS.before}; after: ${ROOTS.after}; ${ROUNDS} rounds, alternating; in each, YSB ${EVENTS.toLocaleString('en')} events: warm-up, then ${IN_PROCESS} rounds in one process\n`,
);
say('```');
const rounds: Record<Side, Round[]> = { before: [], after: [] };
for (let i = 0; i < ROUNDS; i++) for (const side of ['before', 'after'] as const) rounds[side].push(await round(side));
say('```\n');
const summary: Record<string, unknown> = {};
say('| figure | before | after |');
say('| --- | --- | --- |');
for (const [key, label, d] of [
  ['ysbWall', 'YSB / tight loop, wall clock', 3],
  ['ysbCpu', 'YSB / tight loop, CPU time', 3],
  ['chainWall', '10 maps / 1 map, wall clock (x)', 2],
  ['chainCpu', '10 maps / 1 map, CPU time (x)', 2],
] as const) {
  const b = spread(rounds.before.flatMap((r) => r[key]));
  const a = spread(rounds.after.flatMap((r) => r[key]));
  summary[key] = { before: b, after: a };
  say(`| ${label} | ${fmt(b, d)} | ${fmt(a, d)} |`);
}
const end = endRunMeta(meta);
say(`\nload average at end: ${end.loadAverage.end!.join(', ')}`);
const results = join(HERE, 'results');
writeFileSync(join(results, `${OUT}.md`), `# Paired before/after: issue 14 targets 1 and 2\n\n${lines.join('\n')}\n`);
writeFileSync(join(results, `${OUT}.json`), `${JSON.stringify({ meta: end, rounds, summary }, null, 2)}\n`);
