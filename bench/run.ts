/**
 * `pnpm bench`: the project's benchmarks, in one run, written to bench/results/ with the machine
 * and the commit. Usage: pnpm bench [--events N] [--only embedded|node-red|bullmq] [--node-red-events N]
 * The embedded section ends with Node-RED running the same graph on the same events (see
 * docs/benchmarks.md); --only node-red runs just that comparison.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Event } from '@sluice/shared';
import { compareWindows, ensureNodeRed, runNodeRedYsb } from './node-red/node-red-bench.js';
import { loadCampaigns } from './node-red/ysb-flow.js';
import { bullmqBenchmarks } from './ysb-bullmq.js';
import { generateEvents, handWrittenLoop, peakRssMb, ysbFromGenerator, ysbInMemory } from './ysb-embedded.js';

const { values } = parseArgs({ options: { events: { type: 'string' }, only: { type: 'string' }, 'node-red-events': { type: 'string' } } });
const N = Number(values.events ?? 3_000_000);
// Node-RED gets the same events (--node-red-events: only the first N of them, as it runs the graph
// far slower); Sluice is measured again on exactly those for the ratio and the window check.
const NODE_RED_N = Math.min(N, Number(values['node-red-events'] ?? N));
const ONLY = values.only;
if (ONLY !== undefined && !['embedded', 'node-red', 'bullmq'].includes(ONLY)) {
  throw new Error(`--only ${ONLY}: expected embedded, node-red or bullmq`);
}
const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M ev/s` : `${Math.round(n).toLocaleString('en')} ev/s`);

let events: Event[] | undefined;
if (ONLY === undefined || ONLY === 'embedded') {
  say(`## Embedded runner, YSB, ${N.toLocaleString('en')} events`);
  events = await generateEvents('ad-events', N);
  const campaigns = loadCampaigns();
  const hand = handWrittenLoop(events, campaigns);
  say(`hand-written loop (the ceiling): ${fmt(hand.eventsPerSecond)}`);
  // Warm up the JIT once, then measure.
  await ysbInMemory(events.slice(0, 200_000), 1000, 1, join(tmp, 'warm.jsonl'));
  const embedded: Record<string, unknown> = {};
  for (const partitions of [1, 2]) {
    const r = await ysbInMemory(events, 1000, partitions, join(tmp, `mem-${partitions}.jsonl`));
    embedded[`inMemory_p${partitions}`] = r;
    say(
      `in memory, batch 1000, ${partitions} partition(s): ${fmt(r.eventsPerSecond)} (${r.windows} windows); busy ms per node: ${JSON.stringify(r.breakdownMs)}`,
    );
  }
  const gen = await ysbFromGenerator(N, 1000, 1, join(tmp, 'gen.jsonl'));
  embedded.fromGenerator = gen;
  say(`from the generator (end to end): ${fmt(gen.eventsPerSecond)}; busy ms per node: ${JSON.stringify(gen.breakdownMs)}`);
  embedded.handWritten = hand;
  embedded.peakRssMb = peakRssMb();
  say(`peak RSS: ${embedded.peakRssMb} MB`);
  results.embedded = embedded;
}

if (ONLY === undefined || ONLY === 'embedded' || ONLY === 'node-red') {
  ensureNodeRed(say);
  const n = NODE_RED_N;
  say(`\n### Node-RED, same graph, same events (${n === N ? 'all' : 'the first'} ${n.toLocaleString('en')})`);
  say(
    'Flow: function node (views) -> change node (campaign from a table in flow context) -> function node (10 s tumbling count per campaign, watermark) -> function node (sink); events injected with receive() in batches of 100, one setImmediate between batches; each run in its own process.',
  );
  say('Machine shared with other jobs while measuring: the numbers are noisy; compare ratios from one run.');
  const prefix = (events ?? (await generateEvents('ad-events', n))).slice(0, n);
  // Sluice on exactly these events: its windows are the reference for the check.
  await ysbInMemory(prefix.slice(0, Math.min(n, 200_000)), 1000, 1, join(tmp, 'nr-warm.jsonl'));
  const sluiceFile = join(tmp, 'nr-sluice.jsonl');
  const sluice = await ysbInMemory(prefix, 1000, 1, sluiceFile);
  const nodeRed: Record<string, unknown> = { events: n, sluice };
  let best = 0;
  for (const delivery of ['async', 'sync'] as const) {
    const out = join(tmp, `nr-${delivery}.jsonl`);
    const r = await runNodeRedYsb({ events: n, delivery, filter: 'function', enrich: 'change', batch: 100, out });
    const check = compareWindows(sluiceFile, out);
    nodeRed[delivery] = { ...r, check };
    best = Math.max(best, r.eventsPerSecond);
    const label = delivery === 'async' ? 'async delivery (as shipped)' : 'runtimeSyncDelivery';
    say(
      `Node-RED ${r.nodeRed}, ${label}: ${fmt(r.eventsPerSecond)} (${r.windows} windows, ${check.equal ? 'equal to' : 'DIFFERENT FROM'} Sluice's ${check.sluiceWindows}${check.equal && check.sameOrder ? ', same order' : ''}); peak RSS ${r.peakRssMb} MB`,
    );
    if (!check.equal) {
      say(`window mismatch: first difference ${JSON.stringify(check.firstDifference)}`);
      process.exitCode = 1;
    }
  }
  const ratio = sluice.eventsPerSecond / best;
  nodeRed.ratioSluiceToBestNodeRed = ratio;
  say(
    `Sluice embedded on the same ${n.toLocaleString('en')} events, measured just before (in memory, batch 1000, 1 partition): ${fmt(sluice.eventsPerSecond)}; ratio Sluice / best Node-RED: ${ratio.toFixed(ratio >= 10 ? 0 : 1)}x`,
  );
  results.nodeRed = nodeRed;
}

if (ONLY === undefined || ONLY === 'bullmq') {
  say('\n## BullMQ runner, YSB, local Redis');
  results.bullmq = await bullmqBenchmarks(say);
}

const commit = tryExec('git rev-parse --short HEAD');
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: process.platform,
};
const record = { date: new Date().toISOString(), commit, machine, events: N, results };
const dir = new URL('./results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const name = values.only ? `latest-${values.only}` : 'latest';
writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
writeFileSync(
  join(dir, `${name}.md`),
  `# Benchmark results\n\n${record.date}, commit ${commit}, ${machine.cpu} (${machine.cores} cores), Node ${machine.node}\n\n${lines.join('\n')}\n`,
);
say(`\nwritten to bench/results/${name}.json and .md`);

function tryExec(cmd: string): string {
  try {
    return execSync(cmd, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
