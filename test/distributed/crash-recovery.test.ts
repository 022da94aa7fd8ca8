/**
 * Fault injection against the real Redis: a worker killed with SIGKILL mid-run, and a
 * coordinator (server) killed and restarted mid-run. In both cases the run completes and the
 * window outputs equal a clean embedded run's: no event lost, no window emitted twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, spawnWorkers, stopProcess } from '@sluice/engine';
import { deletePrefixKeys, readJsonl, sortRows, waitFor } from '@sluice/engine/testing';
import { YSB_DIR, ysbDocumentFor } from './ysb-fixture.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = 300_000;
const prefixes: string[] = [];

async function cleanRun(dir: string): Promise<Record<string, unknown>[]> {
  const out = join(dir, 'clean.jsonl');
  const runner = new EmbeddedRunner();
  const h = await runner.deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR });
  expect((await h.done).status).toBe('completed');
  return sortRows(readJsonl(out));
}

function newPrefix(): string {
  const p = `${TEST_KEY_ROOT}-${randomUUID().slice(0, 8)}`;
  prefixes.push(p);
  return p;
}

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefixKeys(REDIS_URL, prefix);
});

describe('crash recovery on BullMQ (real Redis)', () => {
  it('a worker killed with SIGKILL mid-run loses no event and emits no window twice', async () => {
    const dir = tmp('crash');
    const expected = await cleanRun(dir);
    expect(expected.length).toBeGreaterThan(1000);
    const prefix = newPrefix();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    expect(await runner.ready()).toBe(true);
    const workers = spawnWorkers(3, { redisUrl: REDIS_URL, prefix });
    try {
      const out = join(dir, 'bullmq.jsonl');
      const handle = await runner.deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, batchSize: 1000, partitions: 2 });
      await waitFor(() => handle.metrics().nodes.per_campaign!.in > EVENTS / 10, 60_000);
      workers.processes[0]!.kill('SIGKILL');
      const result = await handle.done;
      expect(result.status).toBe('completed');
      expect(sortRows(readJsonl(out))).toEqual(expected);
    } finally {
      await workers.stop();
      await runner.close();
    }
  }, 180_000);

  it('a coordinator killed with SIGKILL and restarted resumes: same windows, none twice', async () => {
    const dir = tmp('restart');
    const expected = await cleanRun(dir);
    const prefix = newPrefix();
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    const out = join(dir, 'bullmq.jsonl');
    const probe = new Redis(REDIS_URL);
    try {
      const first = coordinator(['deploy', prefix, String(EVENTS), out]);
      // Wait until the coordinator has checkpointed a good part of the source, then kill it.
      await waitUntil(async () => {
        const cp = await probe.getBuffer(`${prefix}:source:{ysb}:ad_events`);
        return cp !== null && cp.length > 0 && (await countersIn(probe, prefix)) > EVENTS / 20;
      }, 60_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const second = coordinator(['resume', prefix]);
      const line = await doneLine(second);
      expect(JSON.parse(line).status).toBe('completed');
      expect(sortRows(readJsonl(out))).toEqual(expected);
    } finally {
      await probe.quit();
      await workers.stop();
    }
  }, 180_000);
});

function coordinator(args: string[]): ChildProcess {
  const script = new URL('./coordinator-process.ts', import.meta.url).pathname;
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: { ...process.env, REDIS_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function doneLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^done (.*)$/m.exec(buf);
      if (m) {
        resolve(m[1]!);
        void stopProcess(p);
      }
    });
    p.once('exit', (code) => reject(new Error(`coordinator exited (${code}) before completing: ${buf}`)));
  });
}

async function countersIn(redis: Redis, prefix: string): Promise<number> {
  const keys = await redis.keys(`${prefix}:counters:{ysb}:*`);
  let n = 0;
  for (const v of keys.length ? await redis.mget(...keys) : []) if (v) n += JSON.parse(v).nodes.per_campaign?.in ?? 0;
  return n;
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
