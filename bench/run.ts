/**
 * `pnpm bench`: the project's benchmarks, in one run, written to bench/results/ with the machine,
 * its load average, the date and the commit.
 * Usage: pnpm bench [--events N] [--rounds R] [--only embedded|node-red|bullmq] [--node-red-events N] [--skip-node-red]
 * Sluice is measured beside the strongest alternatives, warmed alike: a tight hand-written loop,
 * and Node-RED's fastest flow (core nodes, one event at a time) beside its function-node flow, on
 * the same events (see docs/benchmarks.md); --only node-red runs just that comparison. The
 * cost-growth sweep is `pnpm bench:sweep` (bench/sweep/).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Event } from '@sluice/shared';
import type { Timed } from './bench-util.js';
import { compareWindows, ensureNodeRed, runNodeRedYsb } from './node-red/node-red-bench.js';
import { NODE_RED_FLOWS } from './node-red/flows-compared.js';
import { loadCampaigns, type NodeRedRunResult } from './node-red/ysb-flow.js';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';
import { bullmqBenchmarks } from './ysb-bullmq.js';
import { type CampaignWindow, generateEvents, peakRssMb, stringKeyLoop, tightLoop, ysbFromGenerator, ysbInMemory } from './ysb-embedded.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    only: { type: 'string' },
    'node-red-events': { type: 'string' },
    rounds: { type: 'string' },
    // The embedded figures alone (a before/after of Sluice's own changes; Node-RED's do not move).
    'skip-node-red': { type: 'boolean' },
  },
});
const N = Number(values.events ?? 3_000_000);
// Node-RED gets the first --node-red-events of the same events (default 1 M: it runs the graph
// far slower, three rounds per flow); Sluice is measured again on exactly those.
const NODE_RED_N = Math.min(N, Number(values['node-red-events'] ?? 1_000_000));
const ROUNDS = Number(values.rounds ?? 3);
/** Every contender, Sluice or not, gets one warm-up pass over the first this many events. */
const WARM_UP_EVENTS = 200_000;
const ONLY = values.only;
if (ONLY !== undefined && !['embedded', 'node-red', 'bullmq'].includes(ONLY)) {
  throw new Error(`--only ${ONLY}: expected embedded, node-red or bullmq`);
}
const meta = startRunMeta();
const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const mev = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1000).toLocaleString('en')}k`);
const fmtSpread = (s: Spread) => `${mev(s.median)} ev/s (min ${mev(s.min)}, max ${mev(s.max)})`;
const fmtRatio = (r: number) => (r >= 10 ? `${Math.round(r)}x` : r.toFixed(2));
say(metaMarkdown(meta));
say(
  `\nEvery contender: one warm-up pass over the first ${WARM_UP_EVENTS.toLocaleString('en')} events, then ${ROUNDS} measured rounds; median (min, max) of the rounds.\n`,
);

let events: Event[] | undefined;
if (ONLY === undefined || ONLY === 'embedded') {
  say(`## Embedded runner, YSB, ${N.toLocaleString('en')} events`);
  const all = await generateEvents('ad-events', N);
  events = all;
  const campaigns = loadCampaigns();
  const sluiceFile = join(tmp, 'sluice-p1.jsonl');
  const contenders: Contender[] = [
    {
      id: 'tightLoop',
      label: 'tight hand-written loop (a Map per window, current-window fast path, numeric campaign keys)',
      run: async (evs) => tightLoop(evs, campaigns),
    },
    {
      id: 'stringKeyLoop',
      label: 'string-key loop (a string key per event; earlier runs called it "the ceiling")',
      run: async (evs) => stringKeyLoop(evs, campaigns),
    },
    { id: 'inMemory_p1', label: 'Sluice, in memory, batch 1000, 1 partition', run: (evs) => ysbInMemory(evs, 1000, 1, sluiceFile) },
    {
      id: 'inMemory_p2',
      label: 'Sluice, in memory, batch 1000, 2 partitions',
      run: (evs) => ysbInMemory(evs, 1000, 2, join(tmp, 'sluice-p2.jsonl')),
    },
    {
      id: 'fromGenerator',
      label: 'Sluice, from the generator (end to end), 1 partition',
      run: (evs) => ysbFromGenerator(evs.length, 1000, 1, join(tmp, 'gen.jsonl')),
    },
  ];
  const measured = await measureContenders(contenders, all, say);
  const tight = measured.tightLoop!;
  const sluice = measured.inMemory_p1!;
  const ratio = ratioOf(sluice.rounds, tight.rounds);
  say(
    `Sluice (in memory, 1 partition) / tight loop: ${fmtRatio(ratio.median)} (median of per-round ratios; min ${fmtRatio(ratio.min)}, max ${fmtRatio(ratio.max)})`,
  );
  const stringRatio = ratioOf(measured.stringKeyLoop!.rounds, tight.rounds);
  say(`string-key loop / tight loop: ${fmtRatio(stringRatio.median)} (min ${fmtRatio(stringRatio.min)}, max ${fmtRatio(stringRatio.max)})`);
  // The tight loop's windows, checked against what Sluice's sink wrote in its last round.
  const tightWindows: CampaignWindow[] = [];
  tightLoop(all, campaigns, tightWindows);
  const tightFile = join(tmp, 'tight.jsonl');
  writeFileSync(tightFile, `${tightWindows.map((w) => JSON.stringify(w)).join('\n')}\n`);
  const check = compareWindows(sluiceFile, tightFile);
  say(`tight loop windows: ${check.nodeRedWindows}, ${check.equal ? 'equal to' : 'DIFFERENT FROM'} Sluice's ${check.sluiceWindows}`);
  if (!check.equal) process.exitCode = 1;
  say(`peak RSS of this process: ${peakRssMb()} MB`);
  results.embedded = {
    ...measured,
    ratioSluiceToTightLoop: ratio,
    ratioStringKeyToTightLoop: stringRatio,
    tightLoopCheck: check,
    peakRssMb: peakRssMb(),
  };
}

const SKIP_NODE_RED = values['skip-node-red'] === true;
if (!SKIP_NODE_RED && (ONLY === undefined || ONLY === 'embedded' || ONLY === 'node-red')) {
  ensureNodeRed(say);
  const n = NODE_RED_N;
  say(`\n## Node-RED, same graph, same events (${n === N ? 'all' : 'the first'} ${n.toLocaleString('en')})`);
  say(
    'Each flow: one process per delivery mode, one warm-up pass, then the rounds, in that process (Node-RED runs one runtime per process).',
  );
  say('Machine shared with other jobs while measuring: the numbers are noisy; compare ratios from one run.');
  const prefix = (events ?? (await generateEvents('ad-events', n))).slice(0, n);
  const sluiceFile = join(tmp, 'nr-sluice.jsonl');
  const sluice = (
    await measureContenders(
      [
        {
          id: 'sluice',
          label: `Sluice, in memory, batch 1000, 1 partition, same ${n.toLocaleString('en')} events`,
          run: (evs) => ysbInMemory(evs, 1000, 1, sluiceFile),
        },
      ],
      prefix,
      say,
    )
  ).sluice!;
  const nodeRed: Record<string, unknown> = { events: n, sluice };
  let fastest: { flow: string; eventsPerSecond: number } | undefined;
  for (const flow of NODE_RED_FLOWS) {
    say(`\n### ${flow.label}`);
    say(flow.description);
    let best: NodeRedRunResult | undefined;
    for (const delivery of ['async', 'sync'] as const) {
      const out = join(tmp, `nr-${flow.id}-${delivery}.jsonl`);
      const r = await runNodeRedYsb({
        events: n,
        delivery,
        filter: flow.filter,
        enrich: 'change',
        batch: flow.batch,
        rounds: ROUNDS,
        warmUpEvents: WARM_UP_EVENTS,
        out,
      });
      const check = compareWindows(sluiceFile, out);
      nodeRed[`${flow.id}_${delivery}`] = { ...r, check };
      if (!best || r.eventsPerSecond > best.eventsPerSecond) best = r;
      const label = delivery === 'async' ? 'async delivery (as shipped)' : 'runtimeSyncDelivery';
      say(
        `Node-RED ${r.nodeRed}, ${label}: ${fmtSpread(spread(r.rounds))} (${r.windows} windows, ${check.equal ? 'equal to' : 'DIFFERENT FROM'} Sluice's ${check.sluiceWindows}${check.equal && check.sameOrder ? ', same order' : ''}); peak RSS ${r.peakRssMb} MB`,
      );
      if (!check.equal) {
        say(`window mismatch: first difference ${JSON.stringify(check.firstDifference)}`);
        process.exitCode = 1;
      }
    }
    if (!fastest || best!.eventsPerSecond > fastest.eventsPerSecond) fastest = { flow: flow.short, eventsPerSecond: best!.eventsPerSecond };
    const ratio = sluice.median / best!.eventsPerSecond;
    nodeRed[`ratioSluiceTo_${flow.id}`] = ratio;
    say(
      `ratio Sluice / Node-RED ${flow.short} (${best!.delivery === 'sync' ? 'runtimeSyncDelivery' : 'async delivery'}, its faster): ${fmtRatio(ratio)} (medians)`,
    );
  }
  const ratio = sluice.median / fastest!.eventsPerSecond;
  nodeRed.ratioSluiceToFastestNodeRed = { flow: fastest!.flow, ratio };
  say(
    `\nratio Sluice / Node-RED's fastest flow measured here (the ${fastest!.flow}, ${mev(fastest!.eventsPerSecond)} ev/s): ${fmtRatio(ratio)} (medians)`,
  );
  results.nodeRed = nodeRed;
}

if (ONLY === undefined || ONLY === 'bullmq') {
  say('\n## BullMQ runner, YSB, local Redis');
  results.bullmq = await bullmqBenchmarks(say);
}

const record = { ...endRunMeta(meta), events: N, rounds: ROUNDS, warmUpEvents: WARM_UP_EVENTS, results };
say(`\nload average at end: ${record.loadAverage.end?.join(', ')}`);
const dir = new URL('./results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const name = `${values.only ? `latest-${values.only}` : 'latest'}${SKIP_NODE_RED ? '-without-node-red' : ''}`;
writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
writeFileSync(join(dir, `${name}.md`), `# Benchmark results\n\n${lines.join('\n')}\n`);
say(`\nwritten to bench/results/${name}.json and .md`);

interface Spread {
  min: number;
  median: number;
  max: number;
}

interface Contender {
  id: string;
  label: string;
  run: (events: readonly Event[]) => Promise<Timed>;
}

interface Measured extends Spread {
  /** Events per second of each round. */
  rounds: number[];
}

function spread(values: readonly number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  return { min: v[0]!, median: v[Math.floor(v.length / 2)]!, max: v.at(-1)! };
}

/** Per-round ratios a[r] / b[r] (rounds are interleaved, so round r of both saw the same load). */
function ratioOf(a: readonly number[], b: readonly number[]): Spread {
  return spread(a.map((x, i) => x / b[i]!));
}

/**
 * Warms every contender alike (one pass over the first WARM_UP_EVENTS), then runs ROUNDS rounds,
 * each round running every contender once in turn, and prints each one's median (min, max).
 */
async function measureContenders(
  contenders: Contender[],
  evs: readonly Event[],
  print: (s: string) => void,
): Promise<Record<string, Measured>> {
  const warm = evs.slice(0, WARM_UP_EVENTS);
  for (const c of contenders) await c.run(warm);
  const rounds = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  for (let r = 0; r < ROUNDS; r++) for (const c of contenders) rounds.get(c.id)!.push((await c.run(evs)).eventsPerSecond);
  const out: Record<string, Measured> = {};
  for (const c of contenders) {
    const rs = rounds.get(c.id)!;
    out[c.id] = { ...spread(rs), rounds: rs };
    print(`${c.label}: ${fmtSpread(out[c.id]!)}`);
  }
  return out;
}
