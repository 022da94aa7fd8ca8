/**
 * One round of YSB in memory against the tight hand-written loop, from the copy of the project
 * at `root` (bench/paired.ts runs it from a before and an after copy in turn):
 *
 *   node --max-semi-space-size=64 --import tsx bench/paired-child.ts <root> <events> <rounds>
 *
 * As `pnpm bench` does: both get one warm-up pass over the first 200,000 events, then `rounds`
 * measured rounds, each one pass of Sluice then one of the loop. Prints one JSON line: per round,
 * the wall-clock seconds and CPU time (user + system) of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [root = '', eventsArg = '3000000', roundsArg = '3'] = process.argv.slice(2);
const n = Number(eventsArg);
const ysb = await import(join(root, 'bench/ysb-embedded.ts'));
const { loadCampaigns } = await import(join(root, 'bench/node-red/ysb-flow.ts'));
const events = await ysb.generateEvents('ad-events', n);
const campaigns = loadCampaigns();
const dir = mkdtempSync(join(tmpdir(), 'sluice-paired-'));
const sink = join(dir, 'out.jsonl');
try {
  await ysb.ysbInMemory(events.slice(0, 200_000), 1000, 1, sink);
  ysb.tightLoop(events.slice(0, 200_000), campaigns);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const rounds: unknown[] = [];
  for (let r = 0; r < Number(roundsArg); r++) {
    const c0 = cpu();
    const s = await ysb.ysbInMemory(events, 1000, 1, sink);
    const c1 = cpu();
    const t = ysb.tightLoop(events, campaigns);
    const c2 = cpu();
    rounds.push({
      sluice: { seconds: s.seconds, cpuSeconds: c1 - c0, windows: s.windows },
      tight: { seconds: t.seconds, cpuSeconds: c2 - c1, windows: t.windows },
    });
  }
  process.stdout.write(`${JSON.stringify(rounds)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
