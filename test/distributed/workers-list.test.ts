/**
 * Who serves the queues: `sluice workers` and GET /api/workers show each worker process (id,
 * host, pid, labels, the partition queues it is processing now, its heartbeat age) while a YSB
 * run keeps two real `sluice worker` processes busy; a worker stopped with SIGTERM leaves the
 * listing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BullmqRunner,
  type LocalWorkers,
  listWorkers,
  type RunHandle,
  type RunningServer,
  spawnWorkers,
  startServer,
  stopProcess,
  type WorkerView,
} from '@sluice/engine';
import { deletePrefixKeys, RedisKeys } from '@sluice/engine/testing';
import { waitUntil } from '../faults/support/wait-until.js';
import { YSB_DIR, ysbDocumentFor } from './ysb-fixture.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-wl-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(PREFIX);
/** YSB's partition queues `<pipeline>.s<stage>.p<partition>`, and its source partition `<pipeline>.<node>#<p>`. */
const QUEUE = /^ysb\.(s\d+\.p[01]|ad_events#0)$/;

let redis: Redis;
let dir: string;
let runner: BullmqRunner;
let local: LocalWorkers;
let handle: RunHandle | undefined;
let server: RunningServer | undefined;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  dir = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
  runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix: PREFIX });
  local = spawnWorkers(2, { redisUrl: REDIS_URL, prefix: PREFIX });
});

afterAll(async () => {
  await server?.close();
  await handle?.stop().catch(() => undefined);
  await local?.stop(0);
  await runner?.close();
  await deletePrefixKeys(REDIS_URL, PREFIX);
  await redis?.quit();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pids = () => local.processes.map((p) => p.pid!).sort();

describe('the worker listing', { timeout: 180_000 }, () => {
  it('lists both worker processes with host, pid, no labels, a fresh heartbeat and the queues they process', async () => {
    // Enough events that the workers are busy for the whole test; it is stopped at the end.
    handle = await runner.deploy(ysbDocumentFor(5_000_000, join(dir, 'out.jsonl')), {
      baseDir: YSB_DIR,
      pipelineId: 'ysb',
      batchSize: 1000,
      partitions: 2,
    });
    let seen: WorkerView[] = [];
    await waitUntil(
      async () => {
        seen = await listWorkers(redis, keys);
        return seen.length === 2 && seen.every((w) => w.pid !== null) && seen.some((w) => w.holds.length > 0);
      },
      120_000,
      `two workers listed, one processing a batch (${JSON.stringify(seen)})`,
    );
    expect(seen.map((w) => w.pid).sort()).toEqual(pids());
    for (const w of seen) {
      expect(w.host).toBe(hostname());
      expect(w.labels).toEqual([]);
      expect(w.live).toBe(true);
      expect(w.heartbeatAgeMs).toBeLessThan(5000);
      for (const q of w.holds) expect(q).toMatch(QUEUE);
    }
    // A queue is processed by one worker at a time (global concurrency 1); the source partition is leased to one.
    const held = seen.flatMap((w) => w.holds);
    expect(new Set(held).size).toBe(held.length);
  });

  it('sluice workers prints them as a table and as JSON', async () => {
    const env = { ...process.env, REDIS_URL, SLUICE_PREFIX: PREFIX };
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'engine/src/cli/main.ts'), 'workers', ...args], {
        cwd: ROOT,
        env,
      });
    const json = JSON.parse((await cli(['--json'])).stdout) as { prefix: string; workers: WorkerView[] };
    expect(json.prefix).toBe(PREFIX);
    expect(json.workers.map((w) => w.pid).sort()).toEqual(pids());
    const table = (await cli([])).stdout.split('\n');
    expect(table[0]).toMatch(/^ID +HOST +PID +LABELS +HEARTBEAT +HOLDS$/);
    for (const pid of pids())
      expect(
        table.some((l) =>
          new RegExp(`^\\w{8} +${hostname()} +${pid} +- +\\d+\\.\\d s ago +(-|((ysb\\.s\\d+\\.p\\d+|ysb\\.ad_events#0) ?)+)$`).test(l),
        ),
      ).toBe(true);
    expect(table).toContain(`2 live workers under prefix ${PREFIX} on Redis 127.0.0.1:6379`);
    // The health check of deploy/: a live worker of this host is listed.
    await expect(cli(['--here'])).resolves.toBeDefined();
    const elsewhere = await cli(['--here', '--prefix', `${PREFIX}-none`]).catch((err: { code: number; stderr: string }) => err);
    expect(elsewhere).toMatchObject({
      code: 1,
      stderr: `sluice workers: no live worker of host ${hostname()} under prefix ${PREFIX}-none on Redis 127.0.0.1:6379\n`,
    });
  });

  it('GET /api/workers answers the same workers', async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      examplesDir: join(dir, 'none'),
      editorDist: join(dir, 'none'),
      redisUrl: REDIS_URL,
      prefix: PREFIX,
      log: () => undefined,
    });
    const res = await fetch(`${server.url}/api/workers`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { engine: string; workers: WorkerView[] };
    expect(body.engine).toBe('bullmq');
    expect(body.workers.map((w) => w.pid).sort()).toEqual(pids());
  });

  it('a worker stopped with SIGTERM leaves the listing', async () => {
    const [gone, stays] = local.processes;
    await stopProcess(gone!, 'SIGTERM', 30_000);
    const left = await listWorkers(redis, keys);
    expect(left.map((w) => w.pid)).toEqual([stays!.pid]);
    expect(await redis.hlen(keys.workerInfo)).toBe(1);
  });
});
