/**
 * The Node-RED peer of the embedded YSB benchmark, as called by bench/run.ts: installs Node-RED
 * on demand (bench/node-red has its own package.json, outside the pnpm workspace), runs the flow
 * in a child process per variant, and checks its windows against Sluice's for the same events.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNodeChild } from '../bench-util.js';
import type { EnrichKind, FilterKind, NodeRedRunResult } from './ysb-flow.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** `npm install` into bench/node-red when its node_modules is missing (the first run only). */
export function ensureNodeRed(say: (s: string) => void): void {
  if (existsSync(`${DIR}node_modules/node-red/package.json`)) return;
  say('(installing Node-RED into bench/node-red/node_modules with npm, once)');
  execFileSync('npm', ['install', '--prefix', DIR, '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface NodeRedOptions {
  events: number;
  delivery: 'async' | 'sync';
  filter: FilterKind;
  enrich: EnrichKind;
  batch: number;
  /** Measured passes over the events, after one warm-up pass over the first warmUpEvents. */
  rounds: number;
  warmUpEvents: number;
  /** Where the child writes the windows it emitted, one JSON object a line. */
  out: string;
}

/** One run in a fresh process (Node-RED's runtime is one per process), with the flags `pnpm bench` uses. */
export async function runNodeRedYsb(o: NodeRedOptions): Promise<NodeRedRunResult> {
  const args = ['--max-semi-space-size=64', '--import', 'tsx', `${DIR}ysb-node-red.ts`];
  args.push('--events', String(o.events), '--delivery', o.delivery, '--filter', o.filter, '--enrich', o.enrich, '--batch', String(o.batch));
  args.push('--rounds', String(o.rounds), '--warm-up-events', String(o.warmUpEvents), '--out', o.out);
  const out = await runNodeChild(args, REPO);
  // Node-RED logs its start-up warnings on stdout: the result is the last line.
  if (out.code === 0 && out.lastLine.startsWith('{')) return JSON.parse(out.lastLine) as NodeRedRunResult;
  throw new Error(
    `Node-RED YSB run (${o.filter} filter, ${o.delivery} delivery) exited with ${out.code}: ${(out.stderr || out.stdout).trim().slice(-2000)}`,
  );
}

export interface WindowCheck {
  equal: boolean;
  sameOrder: boolean;
  sluiceWindows: number;
  nodeRedWindows: number;
  /** The first window (in sorted order) that differs, when they differ. */
  firstDifference?: { sluice?: string; nodeRed?: string };
}

/** Compares two JSONL files of windows (campaign_id, window_start, window_end, views). */
export function compareWindows(sluiceJsonl: string, nodeRedJsonl: string): WindowCheck {
  const sluice = windowKeys(sluiceJsonl);
  const nodeRed = windowKeys(nodeRedJsonl);
  const sameOrder = sluice.length === nodeRed.length && sluice.every((k, i) => k === nodeRed[i]);
  const a = [...sluice].sort();
  const b = [...nodeRed].sort();
  const check: WindowCheck = { equal: true, sameOrder, sluiceWindows: a.length, nodeRedWindows: b.length };
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      check.equal = false;
      check.firstDifference = { sluice: a[i], nodeRed: b[i] };
      break;
    }
  }
  return check;
}

function windowKeys(path: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const w = JSON.parse(line) as { campaign_id: string; window_start: number; window_end: number; views: number };
    out.push(`${w.campaign_id} ${w.window_start} ${w.window_end} ${w.views}`);
  }
  return out;
}
