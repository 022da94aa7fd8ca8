/**
 * `sluice serve` in a process of its own (BullMQ mode: REDIS_URL set), for the drills that kill
 * the server: start it, call its API, post to its ingest, read a sink file. Shared by
 * test/faults/server-kill.test.ts and test/distributed/ingest-durable.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '@sluice/engine';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

export interface Server {
  url: string;
  process: ChildProcess;
}

/** `sluice serve` on a free port; resolves once it listens (deployed pipelines are back by then). */
export function startServer(env: { redisUrl: string; prefix: string; dataDir: string }, children: ChildProcess[]): Promise<Server> {
  const p = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: env.redisUrl, SLUICE_PREFIX: env.prefix, SLUICE_DATA_DIR: env.dataDir, HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(p); // the caller kills what is left, whatever happens
  return new Promise((resolve, reject) => {
    let log = '';
    p.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Sluice on (http:\/\/\S+)/.exec(log);
      if (m) resolve({ url: m[1]!, process: p });
    });
    p.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${log}`)));
  });
}

export async function call(server: Server, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export function kill9(p: ChildProcess): Promise<void> {
  return stopProcess(p, 'SIGKILL');
}

/**
 * The sink file's complete lines. A line without its newline yet is not one: a writer is in the
 * middle of it, or was killed in it and its successor cuts it back to the committed length. A
 * line lost that way shows in the caller's counts; a torn line before the last still throws.
 */
export function sinkLines(path: string): { seq: number }[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // after the last newline: '' or a line still being written
  return lines.filter((l) => l !== '').map((l) => JSON.parse(l));
}

/** Post records seq `from`..`to`-1 in requests of `per`, one after another; each must be answered 202. */
export async function post(server: Server, pid: string, node: string, from: number, to: number, per: number): Promise<void> {
  for (let at = from; at < to; at += per) {
    const batch = Array.from({ length: Math.min(per, to - at) }, (_, i) => ({ seq: at + i }));
    const res = await call(server, 'POST', `/api/ingest/${pid}/${node}`, batch);
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
}

/** Two source.http nodes meeting at a file sink: the sink gets a stage of its own, run by workers. */
export function stagedIngestDocument(maxBuffered: number) {
  return {
    format: 'sluice/v1',
    id: 'staged',
    nodes: [
      { id: 'http', type: 'source.http', config: { maxBuffered } },
      { id: 'other', type: 'source.http', config: { maxBuffered: 10 } },
      { id: 'out', type: 'sink.file', config: { path: 'ingested.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'http', target: 'out' },
      { id: 'e2', source: 'other', target: 'out' },
    ],
  };
}
