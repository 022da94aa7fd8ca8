/**
 * Redis Cluster (docs/redis-cluster.md) against a real local cluster of three masters
 * (support/own-cluster.ts): a BullMQ run whose queues spread over the masters writes what the
 * embedded engine writes; a master killed with SIGKILL and restarted mid-run (append-only file)
 * loses nothing; and a master that evicts keys is refused at start, named.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { RedisKeys } from '@sluice/engine/testing';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { compareOutputs } from '../faults/support/compare-outputs.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { OwnCluster } from './support/own-cluster.js';
import { YSB_DIR, ysbDocumentFor } from './ysb-fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');
const EVENTS = 100_000;
const PARTITIONS = 4;
const PID = 'ysb';

let cluster: OwnCluster;
let dir: string;
let reference: unknown[];
const cleanups: (() => Promise<void> | void)[] = [];

const rows = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  cluster = await OwnCluster.start();
  dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  const out = join(dir, 'embedded.jsonl');
  const r = await (await new EmbeddedRunner().deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, partitions: PARTITIONS })).done;
  if (r.status !== 'completed') throw new Error(`embedded reference run ${r.status}: ${r.error}`);
  reference = rows(out);
}, 120_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Keys under `prefix` on one master (a direct connection: only what that master holds). */
async function keysOnMaster(port: number, pattern: string): Promise<string[]> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  } finally {
    r.disconnect();
  }
}

async function startRun(
  name: string,
): Promise<{ runner: BullmqRunner; workers: LocalWorkers; prefix: string; out: string; keys: RedisKeys }> {
  const url = `redis-cluster://${cluster.nodes}`;
  const prefix = `${TEST_KEY_ROOT}-cl-${name}`;
  const workers = spawnWorkers(2, { redisUrl: url, prefix });
  cleanups.push(() => workers.stop());
  const runner = new BullmqRunner({ redisUrl: url, prefix });
  cleanups.push(() => runner.close());
  await waitUntil(async () => (await runner.liveWorkers()) >= 2, 120_000, 'two workers beating in the cluster');
  return { runner, workers, prefix, out: join(dir, `${name}.jsonl`), keys: new RedisKeys(prefix) };
}

function expectExact(actual: unknown[]): void {
  const c = compareOutputs(reference, actual);
  expect({ lost: c.lost, duplicated: c.duplicated, wrong: c.wrong }, JSON.stringify(c.examples)).toEqual({
    lost: 0,
    duplicated: 0,
    wrong: 0,
  });
}

describe('Redis Cluster: three masters', () => {
  it('a BullMQ run writes what the embedded engine writes; its queues spread over the masters; nothing is left after', async () => {
    const { runner, prefix, out } = await startRun('spread');
    const h = await runner.deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, partitions: PARTITIONS, pipelineId: PID });
    // Each partition queue hashes by its own tag: the keyed stage's queues sit on more than one master.
    const holding = await Promise.all(cluster.masters.map(async (m) => (await keysOnMaster(m.port, `${prefix}:{${PID}.s*`)).length > 0));
    expect(holding.filter(Boolean).length).toBeGreaterThan(1);
    const r = await h.done;
    expect(r.status, r.error).toBe('completed');
    expectExact(rows(out));
    for (const m of cluster.masters) expect(await keysOnMaster(m.port, `${prefix}:*${PID}*`)).toEqual([]);
  }, 300_000);

  it("the master holding the pipeline's state killed with SIGKILL and restarted mid-run: the run completes exactly", async () => {
    const { runner, prefix, out, keys } = await startRun('restart');
    const h = await runner.deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, partitions: PARTITIONS, pipelineId: PID });
    // The master whose slots hold the run marker and task states ({ysb}).
    const client = cluster.client();
    cleanups.push(() => client.disconnect());
    const slot = Number(await client.call('CLUSTER', 'KEYSLOT', keys.runMarker(PID)));
    const owner = cluster.masters.findIndex((m) => (client.slots[slot] ?? [])[0] === `127.0.0.1:${m.port}`);
    expect(owner).toBeGreaterThanOrEqual(0);
    await waitUntil(
      async () => (await keysOnMaster(cluster.masters[owner]!.port, `${prefix}:counters:*`)).length > 0,
      120_000,
      'tasks committed',
    );
    expect(h.status()).toBe('running');
    await cluster.restartMaster(owner);
    const r = await h.done;
    expect(r.status, r.error).toBe('completed');
    expectExact(rows(out));
  }, 300_000);

  it('a master that evicts keys is refused at start, named with the setting and the fix', async () => {
    const victim = cluster.masters[2]!;
    const admin = new Redis({ port: victim.port, host: '127.0.0.1' });
    cleanups.push(async () => {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    });
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_CLUSTER_NODES: cluster.nodes, SLUICE_PREFIX: `${TEST_KEY_ROOT}-cl-evict` };
    delete env.REDIS_URL;
    const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => stopProcess(p, 'SIGKILL'));
    let text = '';
    p.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    expect(code, text).not.toBe(0);
    expect(text).toContain(`master 127.0.0.1:${victim.port}`);
    expect(text).toMatch(/maxmemory-policy allkeys-lru; Sluice needs maxmemory-policy noeviction/);
  }, 120_000);
});
