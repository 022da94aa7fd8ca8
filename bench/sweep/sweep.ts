/**
 * `pnpm bench:sweep`: how cost grows with events, distinct keys, chain length and partitions, on
 * the embedded runner. Each point runs in its own process (bench/sweep/point-main.ts), once per
 * round, so its peak RSS is its own; throughput is printed as min, median and max of the rounds.
 * Writes bench/results/sweep.{json,md} and the plots docs/benchmarks/sweep-*.png.
 *
 *   pnpm bench:sweep [--rounds 3] [--scale 1] [--skip-10m-keys] [--plots-only]
 *
 * --scale divides every event and key count (a reduced sweep, labelled as such in the results).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runNodeChild } from '../bench-util.js';
import { endRunMeta, metaMarkdown, startRunMeta } from '../results-meta.js';
import type { PointResult, PointSpec } from './point.js';
import { type ChartPanel, type ChartSeries, figureSize, figureSvg, shortNumber } from './svg-chart.js';
import { svgsToPngs } from './svg-to-png.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const POINT_MAIN = fileURLToPath(new URL('./point-main.ts', import.meta.url));
/** A point that runs longer is stopped and reported as skipped. */
const POINT_TIMEOUT_MS = 15 * 60_000;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    scale: { type: 'string' },
    'skip-10m-keys': { type: 'boolean' },
    'plots-only': { type: 'boolean' },
  },
});
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const PLOTS_DIR = join(REPO, 'docs/benchmarks');
/** --plots-only: the plots drawn again from bench/results/sweep.json, nothing measured. */
const stored = values['plots-only'] ? (JSON.parse(readFileSync(join(RESULTS_DIR, 'sweep.json'), 'utf8')) as StoredSweep) : undefined;
const ROUNDS = stored?.rounds ?? Number(values.rounds ?? 3);
const SCALE = stored?.scale ?? Number(values.scale ?? 1);
const M = 1_000_000;
const s = (n: number) => Math.max(1, Math.round(n / SCALE));

export interface Dimension {
  name: 'events' | 'keys' | 'chain' | 'partitions';
  title: string;
  xLabel: string;
  xLog: boolean;
  points: PointSpec[];
}

const base: PointSpec = { events: s(2 * M), keys: s(1000), chain: 1, partitions: 1, windows: 4, contender: 'sluice' };
/** Keys: enough events that every key is in a window at once (one window for 10 M keys). */
const keysPoint = (keys: number, contender: PointSpec['contender']): PointSpec => {
  const events = Math.max(s(4 * M), keys);
  return { ...base, events, keys, windows: Math.max(1, Math.min(4, Math.floor(events / keys))), contender };
};
const KEY_COUNTS = [1000, 100_000, M, 10 * M].map(s);
const dimensions: Dimension[] = [
  {
    name: 'events',
    title: `Events (${shortNumber(base.keys)} keys, 1 map, 1 partition)`,
    xLabel: 'events',
    xLog: false,
    points: [1, 2, 4].map((n) => ({ ...base, events: s(n * M) })),
  },
  {
    name: 'keys',
    title: 'Distinct keys per window (1 map, 1 partition)',
    xLabel: 'distinct keys (log scale)',
    xLog: true,
    points: KEY_COUNTS.flatMap((k) => [keysPoint(k, 'sluice'), keysPoint(k, 'plain')]),
  },
  {
    name: 'chain',
    title: `Chain of maps (${shortNumber(base.events)} events, ${shortNumber(base.keys)} keys)`,
    xLabel: 'maps in the chain',
    xLog: false,
    points: [1, 5, 10].map((chain) => ({ ...base, chain })),
  },
  {
    name: 'partitions',
    title: `Partitions (${shortNumber(base.events)} events, ${shortNumber(base.keys)} keys, 1 map)`,
    xLabel: 'partitions',
    xLog: false,
    points: [1, 2, 4].map((partitions) => ({ ...base, partitions })),
  },
];

interface PointSummary {
  spec: PointSpec;
  rounds: PointResult[];
  /** Why the point was not measured (or not in every round). */
  skipped?: string;
  eventsPerSecond?: { min: number; median: number; max: number };
  peakRssMb?: { min: number; median: number; max: number };
}

interface StoredSweep {
  scale: number;
  rounds: number;
  dimensions: Record<string, PointSummary[]>;
}

if (stored) {
  await drawPlots(stored.dimensions);
  process.stdout.write(`plots drawn again from bench/results/sweep.json in docs/benchmarks/\n`);
  process.exit(0);
}

const meta = startRunMeta();
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const reduced = SCALE !== 1 || ROUNDS < 3;
say(`# Cost-growth sweep${reduced ? ` (REDUCED: event and key counts / ${SCALE}, ${ROUNDS} round(s))` : ''}\n`);
say(metaMarkdown(meta));
say(
  `\nEmbedded runner; one process per point and round (peak RSS is that process's); ${ROUNDS} round(s) per point, throughput as median (min-max).\n`,
);

const done = new Map<string, PointSummary>();
const summaries: Record<string, PointSummary[]> = {};
for (const d of dimensions) {
  say(`## ${d.title}\n`);
  say('| point | contender | events | throughput, median (min-max) | peak RSS, median (min-max) | RSS before the run | window results |');
  say('| --- | --- | --- | --- | --- | --- | --- |');
  summaries[d.name] = [];
  for (const spec of d.points) {
    const id = JSON.stringify(spec);
    const summary = done.get(id) ?? (await measure(spec, d));
    done.set(id, summary);
    summaries[d.name]!.push(summary);
    say(row(d, summary));
  }
  say('');
}

const end = endRunMeta(meta);
say(`load average at end: ${end.loadAverage.end?.join(', ')}`);
mkdirSync(RESULTS_DIR, { recursive: true });
await drawPlots(summaries);
writeFileSync(
  join(RESULTS_DIR, 'sweep.json'),
  `${JSON.stringify({ ...end, reduced, scale: SCALE, rounds: ROUNDS, dimensions: summaries }, null, 2)}\n`,
);
writeFileSync(join(RESULTS_DIR, 'sweep.md'), `${lines.join('\n')}\n`);
say(`written to bench/results/sweep.{json,md} and docs/benchmarks/sweep-{${dimensions.map((d) => d.name).join(',')}}.png`);

async function drawPlots(byDimension: Record<string, PointSummary[]>): Promise<void> {
  mkdirSync(PLOTS_DIR, { recursive: true });
  const figures = dimensions.map((d) => {
    const ps = panels(d, byDimension[d.name] ?? []);
    return {
      ...figureSize(
        2,
        ps.some((p) => p.note),
      ),
      svg: figureSvg(d.title, ps),
      path: join(PLOTS_DIR, `sweep-${d.name}.png`),
    };
  });
  await svgsToPngs(figures);
}

async function measure(spec: PointSpec, d: Dimension): Promise<PointSummary> {
  const summary: PointSummary = { spec, rounds: [] };
  const tooBig = projectedTooBig(spec, d);
  if (tooBig) return { ...summary, skipped: tooBig };
  for (let r = 0; r < ROUNDS; r++) {
    const result = await runChild(spec);
    if (typeof result === 'string') return { ...summary, skipped: result };
    if (result.results !== result.expectedResults)
      throw new Error(`point ${JSON.stringify(spec)}: ${result.results} window results, expected ${result.expectedResults}`);
    summary.rounds.push(result);
  }
  return {
    ...summary,
    eventsPerSecond: spread(summary.rounds.map((r) => r.eventsPerSecond)),
    peakRssMb: spread(summary.rounds.map((r) => r.peakRssMb)),
  };
}

/**
 * The 10 M-key point, skipped before it starts when the 1 M-key point's memory, times ten, would
 * not fit in the memory free now (the machine is shared) or when asked to.
 */
function projectedTooBig(spec: PointSpec, d: Dimension): string | undefined {
  if (d.name !== 'keys' || spec.keys < s(10 * M)) return undefined;
  if (values['skip-10m-keys']) return 'skipped: --skip-10m-keys';
  const million = [...done.values()].find((p) => p.spec.keys === s(M) && p.spec.contender === spec.contender);
  const rss = million?.peakRssMb?.max;
  if (rss === undefined) return undefined;
  const projectedMb = rss * (spec.keys / million!.spec.keys);
  const freeMb = freemem() / 2 ** 20;
  if (projectedMb > 0.8 * freeMb)
    return `skipped: 10x the 1 M-key peak RSS is ${Math.round(projectedMb)} MB, over 80% of the ${Math.round(freeMb)} MB free now`;
  return undefined;
}

async function runChild(spec: PointSpec): Promise<PointResult | string> {
  const args = ['--max-semi-space-size=64', '--max-old-space-size=16384', '--import', 'tsx', POINT_MAIN, JSON.stringify(spec)];
  const out = await runNodeChild(args, REPO, POINT_TIMEOUT_MS);
  if (out.code === 0 && out.lastLine.startsWith('{')) return JSON.parse(out.lastLine) as PointResult;
  if (out.signal === 'SIGKILL') return `skipped: ran over ${POINT_TIMEOUT_MS / 60_000} minutes`;
  if (/heap out of memory/i.test(out.stderr)) return 'skipped: out of memory (16 GB heap limit)';
  throw new Error(`sweep point ${JSON.stringify(spec)} exited with ${out.code ?? out.signal}: ${out.stderr.trim().slice(-2000)}`);
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const v = [...values].sort((a, b) => a - b);
  return { min: v[0]!, median: v[Math.floor(v.length / 2)]!, max: v.at(-1)! };
}

function row(d: Dimension, p: PointSummary): string {
  const x = shortNumber(p.spec[d.name]);
  const head = `| ${x} | ${p.spec.contender === 'plain' ? 'plain JS Map' : 'Sluice'} | ${shortNumber(p.spec.events)} |`;
  if (p.skipped || !p.eventsPerSecond || !p.peakRssMb) return `${head} ${p.skipped ?? 'not measured'} | | | |`;
  const e = p.eventsPerSecond;
  const r = p.peakRssMb;
  const mev = (n: number) => (n / M).toFixed(2);
  return `${head} ${mev(e.median)} M ev/s (${mev(e.min)}-${mev(e.max)}) | ${r.median} MB (${r.min}-${r.max}) | ${p.rounds[0]!.rssBeforeMb} MB | ${p.rounds[0]!.results.toLocaleString('en')} |`;
}

function panels(d: Dimension, points: PointSummary[]): ChartPanel[] {
  const colors = { sluice: '#1f77b4', plain: '#ff7f0e' } as const;
  const series = (value: (p: PointSummary) => { min: number; median: number; max: number } | undefined, unit: number): ChartSeries[] =>
    (['sluice', 'plain'] as const)
      .map((c) => ({
        name: c === 'plain' ? 'plain JS Map' : 'Sluice',
        color: colors[c],
        points: points.flatMap((p) => {
          const v = value(p);
          return p.spec.contender === c && v ? [{ x: p.spec[d.name], y: v.median / unit, lo: v.min / unit, hi: v.max / unit }] : [];
        }),
      }))
      .filter((c) => c.points.length > 0);
  // A skipped point is named on the plot, so its absence is not read as a gap in the data.
  const skipped = points
    .filter((p) => p.skipped)
    .map((p) => `${p.spec.contender === 'plain' ? 'plain JS' : 'Sluice'} at ${shortNumber(p.spec[d.name])}: ${p.skipped}`);
  const note = skipped.length ? skipped.join('; ') : undefined;
  return [
    {
      title: 'Throughput (median, min-max bar)',
      xLabel: d.xLabel,
      yLabel: 'M events/s',
      xLog: d.xLog,
      series: series((p) => p.eventsPerSecond, M),
      note,
    },
    { title: 'Peak RSS of the process', xLabel: d.xLabel, yLabel: 'MB', xLog: d.xLog, series: series((p) => p.peakRssMb, 1), note },
  ];
}
