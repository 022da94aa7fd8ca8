/**
 * The window operator alone on one core, before/after a change to it, paired: a copy of the
 * window folder before the change (`--before <dir>`, beside nodes/src/sdk so its imports
 * resolve) and this one, each scenario run in its own process, alternately, round by round
 * (the order flips every round), each process a warm-up run then `--reps` measured runs.
 *
 *   node --max-semi-space-size=64 --import tsx bench/window-sliding.ts --before nodes/src/window-before [--rounds 5] [--reps 2] [--only sliding]
 *
 * Scenarios (events pre-built, batches of 1000, a watermark after each):
 * - `sliding`: 60 s windows sliding every 1 s (each event in 60), count and sum, 1,000 keys,
 *   1 M events, an event per key per second, one in 7 three seconds late; watermark 5 s behind;
 * - `sliding-skew`: the same, but events alternate between two inputs 90 s apart in event time
 *   (the watermark follows the one behind): a key holds ~150 open windows;
 * - `tumbling`: YSB's window, 10 s tumbling count over 100 keys (bench/window-operator.ts's
 *   events): must not be slower.
 * Prints per scenario and side the median (min, max) of wall and CPU time per event, and a
 * checksum of the results (the same on both sides: the output did not change).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { type Collector, MemoryStateRegistry, type Operator } from '@sluice/nodes/sdk';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    window: { type: 'string' },
    scenario: { type: 'string' },
    rounds: { type: 'string' },
    reps: { type: 'string' },
    only: { type: 'string' },
  },
});
const HERE = new URL('.', import.meta.url).pathname;
const AFTER = resolve(HERE, '../nodes/src/window');
const T0 = 1_767_225_600_000;
const N = 1_000_000;

interface Scenario {
  config: unknown;
  events: () => Event[];
  /** The watermark after a batch whose latest event time is maxT. */
  watermark: (maxT: number) => number;
}

const countSum = [
  { as: 'n', op: 'count' },
  { as: 's', op: 'sum', field: 'price' },
];
const sliding = { type: 'sliding', size: '60s', slide: '1s', keyBy: ['campaign_id'], aggregates: countSum };
const keys = (n: number) => Array.from({ length: n }, (_, i) => `campaign-${i.toString(16).padStart(8, '0')}-aaaa-bbbb`);

function slidingEvents(skew: number): Event[] {
  const ks = keys(1000);
  return Array.from({ length: N }, (_, i) => {
    // 1,000 events per second of event time: each key about one a second.
    const ahead = skew > 0 && i % 2 === 1 ? skew : 0;
    const t = T0 + (skew > 0 ? Math.floor(i / 2) * 2 : i) + ahead - (i % 7 === 0 ? 3000 : 0);
    return { campaign_id: ks[(i * 7919) % 1000], price: (i % 97) * 0.5, [EVENT_TIME]: t, [INGEST_TIME]: 1 } as Event;
  });
}

const SCENARIOS: Record<string, Scenario> = {
  sliding: { config: sliding, events: () => slidingEvents(0), watermark: (maxT) => maxT - 5000 },
  'sliding-skew': { config: sliding, events: () => slidingEvents(90_000), watermark: (maxT) => maxT - 90_000 - 5000 },
  tumbling: {
    config: { type: 'tumbling', size: '10s', keyBy: ['campaign_id'], aggregates: [{ as: 'n', op: 'count' }] },
    events: () => {
      const ks = keys(100);
      return Array.from(
        { length: N },
        (_, i) =>
          ({ campaign_id: ks[(i * 7919) % 100], [EVENT_TIME]: T0 + Math.floor(i / 10) - (i % 7 === 0 ? 3 : 0), [INGEST_TIME]: 1 }) as Event,
      );
    },
    watermark: (maxT) => maxT - 10,
  },
};

/** One process: a warm-up run, then `reps` measured ones; prints a JSON line. */
async function child(windowDir: string, name: string, reps: number): Promise<void> {
  const scenario = SCENARIOS[name]!;
  const { WindowOperator } = (await import(resolve(windowDir, 'operator.ts'))) as {
    WindowOperator: new (c: unknown, s: MemoryStateRegistry) => Operator;
  };
  const config = nodeDefinitions.get('window')!.config.parse(scenario.config);
  const all = scenario.events();
  const batches: Event[][] = [];
  for (let i = 0; i < N; i += 1000) batches.push(all.slice(i, i + 1000));
  const wall: number[] = [];
  const cpu: number[] = [];
  let checksum = 0;
  for (let rep = 0; rep <= reps; rep++) {
    const op = new WindowOperator(config, new MemoryStateRegistry());
    let sum = 0;
    let results = 0;
    const col: Collector = {
      emit: (e) => {
        results++;
        sum += (e as { n: number }).n * 31 + (e as { window_start: number }).window_start / 1000 + results;
      },
      emitTo: () => {},
      error: () => {},
      late: () => void (sum += 0.5),
      drop: () => {},
    };
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    let maxT = Number.NEGATIVE_INFINITY;
    for (const batch of batches) {
      op.process(batch, col, 'in');
      for (const e of batch) if (e[EVENT_TIME]! > maxT) maxT = e[EVENT_TIME]!;
      op.onWatermark!(scenario.watermark(maxT), col);
    }
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    const w = performance.now() - w0;
    const c = process.cpuUsage(c0);
    if (rep > 0) {
      wall.push(w);
      cpu.push((c.user + c.system) / 1000);
    }
    checksum = sum;
  }
  process.stdout.write(`${JSON.stringify({ wall, cpu, checksum })}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const perEvent = (ms: number[]) => {
  const ns = ms.map((m) => (m * 1e6) / N);
  return `${median(ns).toFixed(0)} (${Math.min(...ns).toFixed(0)}–${Math.max(...ns).toFixed(0)})`;
};

if (values.window !== undefined) {
  await child(values.window, values.scenario!, Number(values.reps ?? 2));
} else {
  if (values.before === undefined) throw new Error('window-sliding: --before <window dir before the change> is required');
  const sides = { before: resolve(values.before), after: AFTER };
  const rounds = Number(values.rounds ?? 5);
  const reps = values.reps ?? '2';
  const names = Object.keys(SCENARIOS).filter((n) => values.only === undefined || values.only.split(',').includes(n));
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const name of names) {
    const got: Record<string, { wall: number[]; cpu: number[]; checksum: number[] }> = {
      before: { wall: [], cpu: [], checksum: [] },
      after: { wall: [], cpu: [], checksum: [] },
    };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) {
        const r = spawnSync(
          process.execPath,
          [
            '--max-semi-space-size=64',
            '--import',
            'tsx',
            new URL(import.meta.url).pathname,
            '--window',
            sides[side],
            '--scenario',
            name,
            '--reps',
            reps,
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        if (r.status !== 0) throw new Error(`${name} ${side}: ${r.stderr}`);
        const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as { wall: number[]; cpu: number[]; checksum: number };
        got[side]!.wall.push(...line.wall);
        got[side]!.cpu.push(...line.cpu);
        got[side]!.checksum.push(line.checksum);
      }
    }
    for (const side of ['before', 'after'] as const) {
      const g = got[side]!;
      console.log(
        `${name} ${side}: wall ns/event ${perEvent(g.wall)}, CPU ns/event ${perEvent(g.cpu)}, ${g.wall.length} runs, checksum ${[...new Set(g.checksum)].join(' ')}`,
      );
    }
    const ratio = (k: 'wall' | 'cpu') => (median(got.after![k]) / median(got.before![k])).toFixed(3);
    console.log(
      `${name} after/before: wall ${ratio('wall')}, CPU ${ratio('cpu')}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
}
