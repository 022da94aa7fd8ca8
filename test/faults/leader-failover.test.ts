/**
 * Two `sluice serve` on one Redis prefix (a Redis of the drill's own) and one PostgreSQL schema,
 * with two workers (docs/multi-server.md). The pipeline is stored and deployed through the
 * follower (the deploy is forwarded to the leader over Redis). Mid-run the leader is killed with
 * SIGKILL, or stopped with SIGTERM: the survivor takes the lease over, resumes the run and it
 * completes with the embedded engine's windows (lost 0, duplicated 0), while the survivor's API
 * answers throughout.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { EmbeddedRunner, type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { RedisKeys } from '@sluice/engine/testing';
import type { PipelineDocument } from '@sluice/shared';
import { adminClient, testDatabase } from '../../nodes/src/postgres/test-database.js';
import { YSB_DIR, ysbDocumentFor } from '../distributed/ysb-fixture.js';
import { compareOutputs } from './support/compare-outputs.js';
import { OwnRedis } from './support/own-redis.js';
import { type ClusterServer, clusterOf, leaderPid, startClusterServer } from './support/server-cluster.js';
import { call } from './support/sluice-server.js';
import { waitUntil } from './support/wait-until.js';

const EVENTS = 600_000;
/** Paced, so the run lasts about 20 s and the leader can be stopped in the middle of it. */
const RATE = 30_000;
const PID = 'ysb-failover';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const p of children.splice(0)) await stopProcess(p, 'SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** YSB paced by the generator's rate, reading the campaigns from the example and writing `out`. */
function pacedYsb(out: string): PipelineDocument {
  // Not `ysb`: the examples (YSB among them) are imported into the store at the first start.
  const doc = { ...ysbDocumentFor(EVENTS, out), id: PID };
  const gen = doc.nodes.find((n) => n.id === 'ad_events')!;
  gen.config = { ...gen.config, rate: RATE };
  const enrich = doc.nodes.find((n) => n.id === 'campaign')!;
  enrich.config = { ...enrich.config, table: { path: join(YSB_DIR, 'campaigns.jsonl') } };
  return doc;
}

async function embeddedRows(dir: string): Promise<unknown[]> {
  const out = join(dir, 'embedded.jsonl');
  const h = await new EmbeddedRunner().deploy(pacedYsb(out), { baseDir: YSB_DIR });
  const r = await h.done;
  if (r.status !== 'completed') throw new Error(`the embedded reference run ended ${r.status}: ${r.error}`);
  return rows(out);
}

function rows(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

interface Status {
  status: string;
  metrics?: { nodes: Record<string, { in: number; out: number }> };
}

async function statusOn(server: ClusterServer): Promise<Status> {
  const r = await call(server, 'GET', `/api/pipelines/${PID}/status`);
  if (r.status !== 200) throw new Error(`status answered ${r.status} on ${server.url}: ${JSON.stringify(r.json)}`);
  return r.json as Status;
}

/**
 * A Redis, a schema, a data folder shared by both servers, two workers, the leader then the
 * follower. `leaderEnv`/`serverEnv`: more environment for the leader / for both.
 */
async function cluster(label: string, serverEnv: Record<string, string> = {}, leaderEnv: Record<string, string> = {}) {
  const redis = await OwnRedis.start({ aof: false });
  cleanups.push(() => redis.stop());
  const dataDir = mkdtempSync(join(tmpdir(), `sluice-drill-${label}-`));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  cleanups.push(async () => {
    const c = await adminClient();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
  const env = {
    redisUrl: redis.url,
    prefix: `drill-${randomUUID().slice(0, 8)}`,
    dataDir,
    databaseUrl: process.env.TEST_DATABASE_URL ?? testDatabase().url,
    schema,
  };
  const workers: LocalWorkers = spawnWorkers(2, { redisUrl: redis.url, prefix: env.prefix });
  cleanups.push(() => workers.stop());
  const reference = embeddedRows(dataDir);
  const leader = await startClusterServer(env, children, { ...serverEnv, ...leaderEnv });
  const follower = await startClusterServer(env, children, serverEnv);
  expect(await leaderPid(follower)).toBe(leader.process.pid);
  expect((await clusterOf(follower)).servers.map((s) => s.pid).sort()).toEqual([leader.process.pid, follower.process.pid].sort());
  mkdirSync(join(dataDir, 'files'), { recursive: true });
  const out = join(dataDir, 'files', 'counts.jsonl');
  // Stored and deployed through the follower: the deploy is answered by the leader.
  expect((await call(follower, 'POST', '/api/pipelines', pacedYsb(out))).status).toBe(201);
  const deployed = await call(follower, 'POST', `/api/pipelines/${PID}/deploy`);
  expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
  expect((deployed.json as { status: string }).status).toBe('running');
  expect(leader.log()).toMatch(/pipeline ysb-failover deployed as version \d+ by anonymous/);
  return { leader, follower, out, reference, redis, env };
}

/** The follower's view of the source's progress reaches `share` of the events. */
async function sourceReaches(server: ClusterServer, share: number): Promise<void> {
  await waitUntil(
    async () => ((await statusOn(server)).metrics?.nodes.ad_events?.out ?? 0) >= EVENTS * share,
    120_000,
    `the source produced ${share * 100} % of the events (as the follower reports)`,
  );
}

/**
 * Until the survivor leads: every status request on it answers 200 meanwhile (the API never
 * stops answering). Returns how long it took.
 */
async function takeover(survivor: ClusterServer): Promise<number> {
  const from = Date.now();
  let asked = 0;
  await waitUntil(
    async () => {
      await statusOn(survivor); // throws on anything but 200
      asked++;
      return (await leaderPid(survivor)) === survivor.process.pid;
    },
    60_000,
    'the survivor took the lease',
  );
  expect(asked).toBeGreaterThan(0);
  return Date.now() - from;
}

async function expectExactEnd(survivor: ClusterServer, out: string, reference: Promise<unknown[]>): Promise<void> {
  await waitUntil(async () => (await statusOn(survivor)).status === 'completed', 180_000, 'the run completed on the survivor');
  const got = rows(out);
  const c = compareOutputs(await reference, got);
  expect({ lost: c.lost, duplicated: c.duplicated, wrong: c.wrong }, JSON.stringify(c.examples)).toEqual({
    lost: 0,
    duplicated: 0,
    wrong: 0,
  });
  expect(got.length).toBeGreaterThan(0);
  expect((await statusOn(survivor)).metrics?.nodes.counts?.in).toBe(got.length);
}

describe('two servers on one Redis and one store: the leader goes mid-run', () => {
  it('kill -9 of the leader: the follower takes over within 10 s and the run completes exactly once', async () => {
    const { leader, follower, out, reference } = await cluster('leader-kill');
    await sourceReaches(follower, 0.3);
    await stopProcess(leader.process, 'SIGKILL');
    const took = await takeover(follower);
    expect(took).toBeLessThan(10_000);
    await waitUntil(() => /resumed as leader: ysb-failover/.test(follower.log()), 60_000, 'the new leader resumed the run');
    await expectExactEnd(follower, out, reference);
  }, 300_000);

  it('SIGTERM of the leader: it detaches and gives the lease up, the follower resumes the run, exactly once', async () => {
    const { leader, follower, out, reference } = await cluster('leader-term');
    await sourceReaches(follower, 0.3);
    const exited = new Promise((r) => leader.process.once('exit', r));
    leader.process.kill('SIGTERM');
    await takeover(follower);
    await exited;
    expect(leader.log()).toMatch(/left the leadership \(shutdown\)/);
    await expectExactEnd(follower, out, reference);
  }, 300_000);

  it('SIGSTOP of the leader past its lease, then SIGCONT: Redis refuses what it writes, and the run completes exactly once', async () => {
    // The old leader's own time fence is off: only the tokens checked in Redis stop it when it wakes.
    const { leader, follower, out, reference, redis, env } = await cluster(
      'leader-pause',
      { SLUICE_LEADER_LEASE_MS: '1500' },
      { SLUICE_LEADER_SELF_FENCE: 'off' },
    );
    const keys = new RedisKeys(env.prefix);
    const client = new Redis(redis.url);
    cleanups.push(() => void client.disconnect());
    await sourceReaches(follower, 0.3);
    const gate = await client.get(keys.sourceGate(PID));
    expect(gate).toMatch(/^run:/);
    leader.process.kill('SIGSTOP');
    cleanups.push(() => void leader.process.kill('SIGCONT')); // a failed drill leaves no stopped process
    await takeover(follower);
    await waitUntil(() => /resumed as leader: ysb-failover/.test(follower.log()), 60_000, 'the new leader resumed the run');
    const newToken = (await clusterOf(follower)).leader!.token;
    await waitUntil(
      async () => (await client.hget(`${env.prefix}:cluster:runs`, '~fence')) === newToken,
      30_000,
      'the new leader published',
    );
    expect(await client.get(keys.coordinatorFence(PID))).toBe(newToken);
    leader.process.kill('SIGCONT');
    // It wakes believing it leads: its next board write is refused by the token, then its renew fails.
    await waitUntil(
      () => /fenced, run board not written: a newer leader \(token \d+\)/.test(leader.log()),
      30_000,
      'the woken leader was fenced',
    );
    await waitUntil(() => /is no longer the leader/.test(leader.log()), 30_000, 'the woken leader stepped down');
    expect(await client.hget(`${env.prefix}:cluster:runs`, '~fence')).toBe(newToken);
    expect(await client.get(keys.coordinatorFence(PID))).toBe(newToken);
    expect(await client.get(keys.sourceGate(PID))).toBe(gate);
    expect(await leaderPid(follower)).toBe(follower.process.pid);
    await expectExactEnd(follower, out, reference);
  }, 300_000);
});
