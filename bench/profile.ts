/**
 * A short run of one benchmark path for `node --cpu-prof` (docs/benchmarks.md, "Profiling"):
 *
 *   nice -n 10 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts ysb [events]
 *   nice -n 10 node --cpu-prof --import tsx bench/profile.ts point '{"events":1000000,"keys":1000000,...}'
 *
 * One warm-up pass, then one measured pass; prints the rate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PointSpec, runPoint } from './sweep/point.js';
import { generateEvents, tightLoop, ysbInMemory } from './ysb-embedded.js';
import { loadCampaigns } from './node-red/ysb-flow.js';

const [what = 'ysb', arg] = process.argv.slice(2);
if (what === 'ysb') {
  const n = Number(arg ?? 1_000_000);
  const events = await generateEvents('ad-events', n);
  const sink = join(mkdtempSync(join(tmpdir(), 'sluice-prof-')), 'out.jsonl');
  await ysbInMemory(events.slice(0, 200_000), 1000, 1, sink);
  const campaigns = loadCampaigns();
  tightLoop(events.slice(0, 200_000), campaigns);
  for (let r = 0; r < 3; r++) {
    const s = await ysbInMemory(events, 1000, 1, sink);
    const t = tightLoop(events, campaigns);
    process.stdout.write(
      `sluice ${(s.eventsPerSecond / 1e6).toFixed(2)} M ev/s, tight ${(t.eventsPerSecond / 1e6).toFixed(2)} M ev/s, ratio ${(s.eventsPerSecond / t.eventsPerSecond).toFixed(2)}\n`,
    );
  }
} else if (what === 'point') {
  const spec = JSON.parse(arg ?? '') as PointSpec;
  await runPoint({ ...spec, events: Math.min(spec.events, 50_000), keys: Math.min(spec.keys, 50_000) });
  const r = await runPoint(spec);
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else throw new Error(`profile: unknown path ${what} (ysb or point)`);
