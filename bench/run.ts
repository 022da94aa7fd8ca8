/**
 * `pnpm bench`: the project's benchmarks, in one run, written to bench/results/ with the machine
 * and the commit. Usage: pnpm bench [--events N] [--only embedded|bullmq]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bullmqBenchmarks } from './ysb-bullmq.js';
import { generateEvents, handWrittenLoop, peakRssMb, ysbFromGenerator, ysbInMemory } from './ysb-embedded.js';

const { values } = parseArgs({ options: { events: { type: 'string' }, only: { type: 'string' } } });
const N = Number(values.events ?? 3_000_000);
const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M ev/s`;

if (values.only !== 'bullmq') {
  say(`## Embedded runner, YSB, ${N.toLocaleString('en')} events`);
  const events = await generateEvents('ad-events', N);
  const campaigns = new Map<string, string>();
  for (const line of readFileSync(new URL('../examples/ysb/campaigns.jsonl', import.meta.url), 'utf8').split('\n')) {
    if (line.trim()) {
      const r = JSON.parse(line) as { ad_id: string; campaign_id: string };
      campaigns.set(r.ad_id, r.campaign_id);
    }
  }
  const hand = handWrittenLoop(events, campaigns);
  say(`hand-written loop (the ceiling): ${fmt(hand.eventsPerSecond)}`);
  // Warm up the JIT once, then measure.
  await ysbInMemory(events.slice(0, 200_000), 1000, 1, join(tmp, 'warm.jsonl'));
  const embedded: Record<string, unknown> = {};
  for (const partitions of [1, 2]) {
    const r = await ysbInMemory(events, 1000, partitions, join(tmp, `mem-${partitions}.jsonl`));
    embedded[`inMemory_p${partitions}`] = r;
    say(`in memory, batch 1000, ${partitions} partition(s): ${fmt(r.eventsPerSecond)} (${r.windows} windows); busy ms per node: ${JSON.stringify(r.breakdownMs)}`);
  }
  const gen = await ysbFromGenerator(N, 1000, 1, join(tmp, 'gen.jsonl'));
  embedded.fromGenerator = gen;
  say(`from the generator (end to end): ${fmt(gen.eventsPerSecond)}; busy ms per node: ${JSON.stringify(gen.breakdownMs)}`);
  embedded.handWritten = hand;
  embedded.peakRssMb = peakRssMb();
  say(`peak RSS: ${embedded.peakRssMb} MB`);
  results.embedded = embedded;
}

if (values.only !== 'embedded') {
  say('\n## BullMQ runner, YSB, local Redis');
  results.bullmq = await bullmqBenchmarks(say);
}

const commit = tryExec('git rev-parse --short HEAD');
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
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
