/**
 * `pnpm bench:threads`: keyed YSB (events prepared in memory) on the embedded runner at 1, 2 and
 * 4 partitions, where 2 and 4 run on partition threads (docs/embedded-threads.md). One warm-up
 * round of each, then 3 rounds in which the partition counts alternate (paired: each round sees
 * the same load); min, median and max of the 3, and the ratio of the medians to 1 partition.
 * Thread start is inside the timing. Writes bench/results/threads.{md,json}.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from './bench-util.js';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';
import { ysbInMemory } from './ysb-embedded.js';

// Partitions 2 and 4 on threads (the runner's `threads`, off by default).
process.env.SLUICE_EMBEDDED_THREADS = '1';
const EVENTS = Number(process.env.THREADS_BENCH_EVENTS ?? 2_000_000);
const PARTITIONS = [1, 2, 4];
const ROUNDS = 3;

const meta = startRunMeta();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-threads-'));
try {
  const events = await generateEvents('ad-events', EVENTS);
  for (const p of PARTITIONS) await ysbInMemory(events, 1000, p, join(dir, `warm-${p}.jsonl`));
  const rates = new Map<number, number[]>(PARTITIONS.map((p) => [p, []]));
  const windows = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round++)
    for (const p of round % 2 === 0 ? PARTITIONS : [...PARTITIONS].reverse()) {
      const r = await ysbInMemory(events, 1000, p, join(dir, `out-${p}.jsonl`));
      rates.get(p)!.push(r.eventsPerSecond);
      windows.set(p, r.windows);
      process.stdout.write(`round ${round + 1}, ${p} partition(s): ${Math.round(r.eventsPerSecond)} ev/s\n`);
    }
  const end = endRunMeta(meta);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
  };
  const base = stats(rates.get(1)!).median;
  const rows = PARTITIONS.map((p) => {
    const s = stats(rates.get(p)!);
    return { partitions: p, ...s, ratio: s.median / base, windows: windows.get(p)! };
  });
  const k = (x: number) => `${Math.round(x / 1000)}k`;
  const md = [
    '# Keyed YSB on partition threads (`pnpm bench:threads`)',
    '',
    metaMarkdown(end),
    '',
    `${EVENTS.toLocaleString('en')} events in memory, batch 1000, 1 warm-up round each, then ${ROUNDS} paired rounds; ev/s min / median / max; ratio of medians to 1 partition.`,
    '',
    '| partitions | min | median | max | ratio | windows out |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.partitions} | ${k(r.min)} | ${k(r.median)} | ${k(r.max)} | ${r.ratio.toFixed(2)} | ${r.windows} |`),
    '',
  ].join('\n');
  writeFileSync(new URL('./results/threads.md', import.meta.url), md);
  writeFileSync(
    new URL('./results/threads.json', import.meta.url),
    `${JSON.stringify({ meta: end, events: EVENTS, rows, rates: Object.fromEntries(rates) }, null, 2)}\n`,
  );
  process.stdout.write(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
