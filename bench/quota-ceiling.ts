/**
 * `pnpm bench:quota-ceiling`: what this machine allows bench:scale's efficiency to be, without
 * Sluice. N node processes each run the same loop (object building, an Object.assign copy and a
 * Map update per "event", as a worker's per-event work) for QC_SECONDS, each held to QC_QUOTA of
 * a core by its own cgroup (the limiter bench:scale uses). Efficiency at N is the events of N
 * processes over N times one process's, rounds alternating 1 and N so load drifts hit both.
 * Writes bench/results/quota-ceiling.md.
 *
 * Environment: QC_N (default 4), QC_QUOTA (default 0.25), QC_SECONDS (default 10), QC_ROUNDS
 * (default 3).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type CpuLimiter, cpuLimiter } from './cpu-limiter.js';
import { endRunMeta, metaMarkdown, startRunMeta } from './results-meta.js';

const N = Number(process.env.QC_N ?? 4);
const QUOTA = Number(process.env.QC_QUOTA ?? 0.25);
const SECONDS = Number(process.env.QC_SECONDS ?? 10);
const ROUNDS = Number(process.env.QC_ROUNDS ?? 3);

// Runs in each child: counts "events" until its time is up, prints the count.
const LOOP = `
const end = Date.now() + ${SECONDS * 1000};
let n = 0;
const sums = new Map();
while (Date.now() < end) {
  for (let i = 0; i < 1000; i++) {
    const e = { id: n, k: 'c' + (n % 100), v: n * 1.5 };
    const o = Object.assign({}, e, { x: 1 });
    sums.set(o.k, (sums.get(o.k) ?? 0) + o.v);
    n++;
  }
}
process.stdout.write(String(n));
`;

const possible = cpuLimiter(QUOTA);
if (!('limit' in possible)) throw new Error(`no CPU quota possible here: ${possible.reason}`);
const limiter: CpuLimiter = possible;

async function runProcesses(count: number): Promise<number> {
  const counts = await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', LOOP], { stdio: ['ignore', 'pipe', 'inherit'] });
          limiter.limit(child.pid!, `qc${count}-${i}`);
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`loop exited with ${code}`))));
        }),
    ),
  );
  limiter.release();
  return counts.reduce((a, b) => a + b, 0);
}

const meta = startRunMeta();
const rows: string[] = [];
const efficiencies: number[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const one = await runProcesses(1);
  const many = await runProcesses(N);
  const eff = many / (N * one);
  efficiencies.push(eff);
  const line = `round ${r}: 1 process ${one.toLocaleString('en')} events, ${N} processes ${many.toLocaleString('en')}: efficiency ${eff.toFixed(2)}`;
  process.stdout.write(`${line}\n`);
  rows.push(`| ${r} | ${one.toLocaleString('en')} | ${many.toLocaleString('en')} | ${eff.toFixed(2)} |`);
}
const sorted = [...efficiencies].sort((a, b) => a - b);
const summary = `efficiency at ${N}: min ${sorted[0]!.toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}, max ${sorted.at(-1)!.toFixed(2)}`;
process.stdout.write(`${summary}\n`);
writeFileSync(
  new URL('./results/quota-ceiling.md', import.meta.url),
  [
    '# Quota ceiling: efficiency of plain node processes at a CPU quota',
    '',
    metaMarkdown(endRunMeta(meta)),
    '',
    `${N} processes against 1, each held to ${QUOTA} core (${limiter.kind}), ${SECONDS} s each, ${ROUNDS} rounds alternating. Written by \`pnpm bench:quota-ceiling\` (bench/quota-ceiling.ts).`,
    '',
    `| round | 1 process, events | ${N} processes, events | efficiency |`,
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    summary,
    '',
  ].join('\n'),
);
