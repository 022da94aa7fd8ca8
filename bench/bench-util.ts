import { spawn } from 'node:child_process';
import type { Event } from '@sluice/shared';
import { operatorEntry } from '@sluice/nodes/operators';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { SourceOperator } from '@sluice/nodes/sdk';

export interface Timed {
  seconds: number;
  eventsPerSecond: number;
}

export async function timed<T>(events: number, fn: () => Promise<T>): Promise<Timed & { value: T }> {
  const start = performance.now();
  const value = await fn();
  const seconds = (performance.now() - start) / 1000;
  return { seconds, eventsPerSecond: events / seconds, value };
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Events from the generator node, produced up front (stamped as a source would). */
export async function generateEvents(scenario: string, count: number, seed = 42): Promise<Event[]> {
  const def = nodeDefinitions.get('source.generator')!;
  const config = def.config.parse({ scenario, count, seed });
  const entry = operatorEntry('source.generator');
  if (entry?.kind !== 'source') throw new Error('source.generator is not registered');
  const ctx = {
    nodeId: 'gen',
    config,
    params: {},
    resolvePath: (p: string) => p,
    isConnected: () => true,
    state: { keyed: () => new Map(), value: <T>(_n: string, v: T) => ({ get: () => v, set: () => undefined }) },
    now: Date.now,
  };
  const source = (await entry.create(ctx as never)) as SourceOperator;
  const out: Event[] = [];
  for (;;) {
    const b = await source.poll(100_000);
    for (const e of b.events) out.push(e);
    if (b.done) break;
  }
  return out;
}

export interface ChildOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout: where the benchmark children print their JSON result. */
  lastLine: string;
}

/** Runs `node <args>` in a child process and collects its output (killed after timeoutMs, if given). */
export function runNodeChild(args: string[], cwd: string, timeoutMs?: number): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, lastLine: stdout.trim().split('\n').at(-1) ?? '' });
    });
  });
}
