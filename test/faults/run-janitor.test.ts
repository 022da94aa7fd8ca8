/**
 * Drills: nothing a killed `sluice run --engine bullmq` leaves in Redis stays forever. Its
 * coordinator lease expires; its workers (whose parent died) then remove the run's keys and
 * exit; when they were killed too, the next `sluice run` removes them at start. A server's
 * deployment under the same kind of prefix is never swept: its server resumes it.
 * On a Redis of the drill's own: the janitor looks at every `sluice-run-*` prefix of its Redis.
 */
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '@sluice/engine';
import { drillScope } from './support/drill-scope.js';
import type { OwnRedis } from './support/own-redis.js';
import { alive, killQuietly, runWithWorkers, sluice, until, untilTasksCommit, writeYsbDocument } from './support/redis-drill-process.js';
import { call, kill9, startServer, stagedIngestDocument } from './support/sluice-server.js';

// A 6 s lease instead of 15 s (inherited by the processes started here): above the 5 s after
// which a worker's heartbeat counts as stale, so a lease gone means its killed workers are too.
const LEASE_ENV = 'SLUICE_RUN_LEASE_MS';
const before = process.env[LEASE_ENV];
beforeAll(() => {
  process.env[LEASE_ENV] = '6000';
});
afterAll(() => {
  if (before === undefined) delete process.env[LEASE_ENV];
  else process.env[LEASE_ENV] = before;
});

const { cleanups, setup: scoped } = drillScope();
const setup = () => scoped('janitor');

/** The one `sluice-run-*` prefix holding a lease: the run's. */
async function leasedPrefix(redis: OwnRedis): Promise<string> {
  const probe = redis.client();
  try {
    let leases: string[] = [];
    await until('the run took its lease', async () => (leases = await probe.keys('sluice-run-*:lease')).length === 1, 60_000);
    return leases[0]!.slice(0, -':lease'.length);
  } finally {
    probe.disconnect();
  }
}

describe('drill: what a killed sluice run leaves in Redis', () => {
  it('kill -9 of sluice run mid-run: its workers remove every key of the run and exit', async () => {
    const { redis, dir } = await setup();
    const { run, workers } = await runWithWorkers(
      [writeYsbDocument(dir, 5_000_000, join(dir, 'out.jsonl')), '--quiet'],
      2,
      redis.url,
      (f) => cleanups.push(f),
    );
    const prefix = await leasedPrefix(redis);
    await untilTasksCommit(redis.client());
    const probe = redis.client();
    cleanups.push(() => probe.disconnect());
    expect((await probe.keys(`${prefix}:*`)).length).toBeGreaterThan(10);
    run.proc.kill('SIGKILL');
    await until(`workers ${workers.join(', ')} exit after their parent died`, () => workers.every((pid) => !alive(pid)), 90_000);
    // The workers swept before they exited: nothing of the run is left, not even the heartbeats.
    expect(await probe.keys(`${prefix}:*`)).toEqual([]);
    expect(await probe.dbsize()).toBe(0);
  }, 240_000);

  it('a coordinator stopped past its lease: its workers stop working for the run, remove its keys and exit', async () => {
    const { redis, dir } = await setup();
    const { run, workers } = await runWithWorkers([writeYsbDocument(dir, 5_000_000, join(dir, 'out.jsonl'))], 2, redis.url, (f) =>
      cleanups.push(f),
    );
    cleanups.push(() => killQuietly(run.proc.pid, 'SIGCONT'));
    const prefix = await leasedPrefix(redis);
    await untilTasksCommit(redis.client());
    // Its children are the workers and, from the sources, tsx's esbuild service (which stays).
    const sluiceWorkers = workers.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('worker'));
    expect(sluiceWorkers).toHaveLength(2);
    // A coordinator hung (a long GC, a VM pause): alive, so its IPC channel stays open.
    process.kill(run.proc.pid!, 'SIGSTOP');
    await until(`workers ${sluiceWorkers.join(', ')} exit once the lease expired`, () => sluiceWorkers.every((pid) => !alive(pid)), 90_000);
    const probe = redis.client();
    cleanups.push(() => probe.disconnect());
    expect(await probe.keys(`${prefix}:*`)).toEqual([]);
    process.kill(run.proc.pid!, 'SIGCONT');
    expect(await run.exited, run.out()).toBe(1);
    expect(run.out()).toContain(`the run's lease ${prefix}:lease expired`);
    expect(await probe.keys(`${prefix}:*`)).toEqual([]);
  }, 240_000);

  /** A run killed with its workers once its tasks commit, its lease expired: its keys wait for a janitor. */
  async function deadRun(redis: OwnRedis, dir: string): Promise<{ prefix: string; probe: Redis }> {
    const { run, workers } = await runWithWorkers(
      [writeYsbDocument(dir, 5_000_000, join(dir, 'out.jsonl')), '--quiet'],
      2,
      redis.url,
      (f) => cleanups.push(f),
    );
    const prefix = await leasedPrefix(redis);
    await untilTasksCommit(redis.client());
    for (const pid of workers) killQuietly(pid);
    run.proc.kill('SIGKILL');
    const probe = redis.client();
    cleanups.push(() => probe.disconnect());
    await until('the dead run lease expired', async () => (await probe.exists(`${prefix}:lease`)) === 0, 60_000);
    // Nobody was left to sweep: the keys are still there.
    expect((await probe.keys(`${prefix}:*`)).length).toBeGreaterThan(10);
    return { prefix, probe };
  }

  it('kill -9 of sluice run and its workers: the next sluice run removes the dead run at start', async () => {
    const { redis, dir } = await setup();
    const { prefix, probe } = await deadRun(redis, dir);
    const next = sluice(
      ['run', writeYsbDocument(dir, 20_000, join(dir, 'next.jsonl')), '--engine', 'bullmq', '--workers', '1', '--quiet'],
      redis.url,
    );
    cleanups.push(() => killQuietly(next.proc.pid));
    expect(await next.exited, next.out()).toBe(0);
    expect(next.out()).toContain(`of ${prefix}, a run whose coordinator is gone`);
    expect(await probe.keys(`${prefix}:*`)).toEqual([]);
  }, 240_000);

  it('the same, removed by a sluice worker of another prefix, and by a sluice serve, at start', async () => {
    const { redis, dir } = await setup();
    const first = await deadRun(redis, dir);
    const worker = sluice(['worker', '--prefix', 'sluice-test-elsewhere'], redis.url);
    cleanups.push(() => killQuietly(worker.proc.pid));
    await until('the worker removed the dead run', async () => (await first.probe.keys(`${first.prefix}:*`)).length === 0, 60_000);
    expect(worker.out()).toContain(`of ${first.prefix}, a run whose coordinator is gone`);
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const second = await deadRun(redis, dir);
    const children: ChildProcess[] = [];
    cleanups.push(async () => {
      for (const p of children) await stopProcess(p, 'SIGKILL');
    });
    await startServer({ redisUrl: redis.url, prefix: 'sluice-test-elsewhere', dataDir: join(dir, 'server') }, children);
    await until('the server removed the dead run', async () => (await second.probe.keys(`${second.prefix}:*`)).length === 0, 60_000);
  }, 300_000);

  it("a server's deployment is not swept when its server is killed: its keys wait for the restart", async () => {
    const { redis, dir } = await setup();
    // A prefix the janitor looks at: only the deployment's `ephemeral: false` keeps it.
    const prefix = `sluice-run-server-${randomUUID().slice(0, 8)}`;
    const children: ChildProcess[] = [];
    cleanups.push(async () => {
      for (const p of children) await stopProcess(p, 'SIGKILL');
    });
    const server = await startServer({ redisUrl: redis.url, prefix, dataDir: dir }, children);
    expect((await call(server, 'POST', '/api/pipelines', stagedIngestDocument(1000))).status).toBe(201);
    expect((await call(server, 'POST', '/api/pipelines/staged/deploy')).status).toBe(200);
    await kill9(server.process);
    const probe = redis.client();
    cleanups.push(() => probe.disconnect());
    const kept = (await probe.keys(`${prefix}:*`)).sort();
    expect(kept).toContain(`${prefix}:pipeline:{staged}`);
    expect(kept).toContain(`${prefix}:marker:{staged}`);
    const next = sluice(
      ['run', writeYsbDocument(dir, 20_000, join(dir, 'next.jsonl')), '--engine', 'bullmq', '--workers', '1', '--quiet'],
      redis.url,
    );
    cleanups.push(() => killQuietly(next.proc.pid));
    expect(await next.exited, next.out()).toBe(0);
    expect((await probe.keys(`${prefix}:*`)).sort()).toEqual(kept);
  }, 240_000);
});
