/**
 * Two servers (in this process) on one Redis prefix and one PostgreSQL schema: what a follower
 * answers (docs/multi-server.md). Deploys and stops are run by the leader and answered on the
 * follower as the leader answered them (errors with their diagnostics included); status and
 * ingest work on the follower; with a leader that does not answer, the follower says so with a
 * 503 `no-leader`, and takes the lease once it is free. Alert states survive a leader change
 * (kept in Redis, fenced): the new leader neither fires a firing alert again nor restarts a
 * pending one's `for` clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { generatorDoc, httpSourceDoc, readSse } from '../api/test-support.js';
import { type LocalWorkers, spawnWorkers } from '../cli/spawn-workers.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import { RedisAlertStates } from '../alerts/alert-state-store.js';
import { type HookReceiver, startHookReceiver } from '../alerts/hook-receiver.js';
import { RedisKeys } from '../runners/bullmq/keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** One schema per test (a cluster's store), dropped at the end. */
const schemas: string[] = [];
// Short lease and forward waits: the cases below wait for a takeover and for a silent leader.
process.env.SLUICE_LEADER_LEASE_MS = '1500';
process.env.SLUICE_LEADER_FORWARD_MS = '1500';

const servers: RunningServer[] = [];
const workers: LocalWorkers[] = [];
const prefixes: string[] = [];
const dirs: string[] = [];
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterEach(async () => {
  for (const s of servers.splice(0).reverse()) await s.close();
  for (const w of workers.splice(0)) await w.stop();
  for (const p of prefixes.splice(0)) await deletePrefixKeys(REDIS_URL, p);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  redis.disconnect();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

/** A Redis prefix and a schema of the test's own. */
function newCluster(): { prefix: string; schema: string } {
  const prefix = `${TEST_KEY_ROOT}-cluster-${randomUUID().slice(0, 8)}`;
  const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  prefixes.push(prefix);
  schemas.push(schema);
  return { prefix, schema };
}

async function server(
  { prefix, schema }: { prefix: string; schema: string },
  dataDir: string,
  lines: string[] = [],
): Promise<RunningServer> {
  const s = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    examplesDir: join(dataDir, 'no-examples'),
    editorDist: join(dataDir, 'no-editor'),
    redisUrl: REDIS_URL,
    prefix,
    databaseUrl: DATABASE_URL,
    databaseSchema: schema,
    log: (l) => void lines.push(l),
  });
  servers.push(s);
  return s;
}

async function call(s: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  dirs.push(d);
  return d;
}

describe('servers of a cluster (one Redis prefix, one schema)', () => {
  it('forwards deploys and stops to the leader and answers as it did; status and ingest work on it', async () => {
    const c = newCluster();
    const dir = tmp();
    const leaderLog: string[] = [];
    const leader = await server(c, dir, leaderLog);
    const follower = await server(c, dir);
    // Every stage runs on workers, sources too (docs/bullmq-runner.md).
    workers.push(spawnWorkers(1, { redisUrl: REDIS_URL, prefix: c.prefix }));
    const cluster = (await call(follower, 'GET', '/api/cluster')).json;
    expect(cluster.servers).toHaveLength(2);
    expect(cluster.leader.id).not.toBe(cluster.self);
    expect(cluster.servers.find((s: { leader: boolean }) => s.leader).url).toBe(leader.url);

    // A document the deploy refuses: the leader's 422 and its diagnostics, answered by the follower.
    const bad = generatorDoc('bad');
    bad.nodes[1]!.config = { expression: 'quantity >=' };
    expect((await call(follower, 'POST', '/api/pipelines', bad)).status).toBe(201);
    const refused = await call(follower, 'POST', '/api/pipelines/bad/deploy');
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('invalid-document');
    expect(refused.json.error.details.some((d: { nodeId?: string }) => d.nodeId === 'big')).toBe(true);
    // Not deployed: the leader's 409.
    expect((await call(follower, 'POST', '/api/pipelines/bad/stop')).json.error.code).toBe('not-deployed');

    // Deployed through the follower: it runs on the leader; the follower reports it from Redis.
    expect((await call(follower, 'POST', '/api/pipelines', generatorDoc('live'))).status).toBe(201);
    const deployed = await call(follower, 'POST', '/api/pipelines/live/deploy');
    expect(deployed.status).toBe(200);
    expect(deployed.json).toMatchObject({ status: 'running', engine: 'bullmq' });
    expect(leader.deployments.own().has('live')).toBe(true);
    expect(follower.deployments.own().size).toBe(0);
    expect(leaderLog.some((l) => /pipeline live deployed as version \d+ by anonymous/.test(l))).toBe(true);
    await until('the follower sees events flow', async () => {
      const s = (await call(follower, 'GET', '/api/pipelines/live/status')).json;
      return s.status === 'running' && s.metrics.nodes.out.in > 0;
    });

    // Posted to the follower: taken (into the leader's run's Redis stream).
    expect((await call(follower, 'POST', '/api/pipelines', httpSourceDoc())).status).toBe(201);
    expect((await call(follower, 'POST', '/api/pipelines/inbound/deploy')).status).toBe(200);
    const posted = await call(follower, 'POST', '/api/ingest/inbound/http', [{ n: 1 }, { n: 2 }]);
    expect(posted.status).toBe(202);
    await until('the leader read what the follower took', async () => {
      const s = (await call(leader, 'GET', '/api/pipelines/inbound/status')).json;
      return s.metrics?.nodes.out.in === 2;
    });

    // Stopped through the follower: gone on both.
    expect((await call(follower, 'POST', '/api/pipelines/live/stop')).json.status).toBe('stopped');
    expect((await call(leader, 'GET', '/api/pipelines/live/status')).json.status).toBe('not-deployed');
    await until(
      'the follower sees the stop',
      async () => (await call(follower, 'GET', '/api/pipelines/live/status')).json.status === 'not-deployed',
    );
    expect((await call(follower, 'POST', '/api/ingest/live/http', { n: 1 })).status).toBe(404);
  }, 60_000);

  it("streams the live metrics of the leader's run, and samples of an edge inside the workers", async () => {
    const c = newCluster();
    const dir = tmp();
    await server(c, dir);
    const follower = await server(c, dir);
    workers.push(spawnWorkers(1, { redisUrl: REDIS_URL, prefix: c.prefix }));
    // Two sources meet at `shape`: its stage runs on the worker, so edge `e3` crosses the worker.
    const doc = {
      format: 'sluice/v1',
      id: 'merged',
      nodes: [
        { id: 'a', type: 'source.generator', config: { scenario: 'orders', rate: 200, seed: 1 } },
        { id: 'b', type: 'source.generator', config: { scenario: 'orders', rate: 200, seed: 2 } },
        { id: 'shape', type: 'map', config: { set: { tagged: 'quantity >= 1' } } },
        { id: 'out', type: 'sink.file', config: { path: 'merged.jsonl' } },
      ],
      edges: [
        { id: 'e1', source: 'a', target: 'shape' },
        { id: 'e2', source: 'b', target: 'shape' },
        { id: 'e3', source: 'shape', target: 'out' },
      ],
    };
    expect((await call(follower, 'POST', '/api/pipelines', doc)).status).toBe(201);
    const deployed = await call(follower, 'POST', '/api/pipelines/merged/deploy');
    expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);

    const metrics = await fetch(`${follower.url}/api/pipelines/merged/metrics?intervalMs=200`);
    const seen = await readSse(metrics, (m) => m.some((x) => x.event === 'metrics' && (x.data as any).metrics?.nodes.out.in > 0), 30_000);
    expect(seen.some((x) => x.event === 'metrics' && (x.data as any).status === 'running')).toBe(true);

    const tap = await fetch(`${follower.url}/api/pipelines/merged/taps/e3`);
    expect(tap.status).toBe(200);
    const sampled = await readSse(tap, (m) => m.some((x) => x.event === 'events'), 30_000);
    const events = sampled.find((x) => x.event === 'events')!.data as { sku: string }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ tagged: true, sku: expect.stringMatching(/^SKU-/) });
    // A stop drains the worker's queue (up to 10 s): more than this file's short forward wait.
    process.env.SLUICE_LEADER_FORWARD_MS = '30000';
    try {
      const stopped = await call(follower, 'POST', '/api/pipelines/merged/stop');
      expect(stopped.status, JSON.stringify(stopped.json)).toBe(200);
    } finally {
      process.env.SLUICE_LEADER_FORWARD_MS = '1500';
    }
  }, 90_000);

  it('a leader whose lease another holder took detaches its runs at once; taking it back resumes them', async () => {
    const c = newCluster();
    const dir = tmp();
    const lines: string[] = [];
    const leader = await server(c, dir, lines);
    expect((await call(leader, 'POST', '/api/pipelines', generatorDoc('live'))).status).toBe(201);
    expect((await call(leader, 'POST', '/api/pipelines/live/deploy')).status).toBe(200);
    expect(leader.deployments.own().has('live')).toBe(true);
    // Another holder (a server that took the key after this one's expired, as it sees it).
    await redis.set(`${c.prefix}:leader`, 'thief 99999999999999999 0', 'PX', 60_000);
    await until('the leader detaches', () => leader.deployments.own().size === 0);
    expect(lines.some((l) => /is no longer the leader \(the lease expired in Redis or another server holds it\)/.test(l))).toBe(true);
    await until('the detach is done', () => lines.some((l) => /detached from live: another server coordinates them now/.test(l)));
    // Still deployed (in the store and in Redis): when the key is free again, the server takes it and resumes the run.
    await redis.del(`${c.prefix}:leader`);
    await until('the run is resumed', () => leader.deployments.own().get('live')?.status() === 'running');
    expect(lines.filter((l) => /resumed as leader: live/.test(l))).toHaveLength(1);
  }, 60_000);

  it('a new leader still resuming answers for the runs it has not resumed yet as deployed, and publishes no partial board', async () => {
    const c = newCluster();
    const dir = tmp();
    const leader = await server(c, dir);
    const lines: string[] = [];
    const follower = await server(c, dir, lines);
    workers.push(spawnWorkers(1, { redisUrl: REDIS_URL, prefix: c.prefix }));
    expect((await call(follower, 'POST', '/api/pipelines', generatorDoc('live'))).status).toBe(201);
    expect((await call(follower, 'POST', '/api/pipelines/live/deploy')).status).toBe(200);
    await until('the follower reads the run from the board', async () => {
      const s = (await call(follower, 'GET', '/api/pipelines/live/status')).json;
      return s.status === 'running' && s.metrics.nodes.out.in > 0;
    });
    // The follower's resume waits until the test lets it go: the window a slow resume leaves open.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const restore = follower.deployments.restore.bind(follower.deployments);
    follower.deployments.restore = async (goOn) => {
      await gate;
      return restore(goOn);
    };
    servers.splice(servers.indexOf(leader), 1);
    await leader.close(); // gives the lease up: the follower takes it at its next try
    await until('the follower took the lease', () => lines.some((l) => /is now the leader/.test(l)));
    expect(follower.deployments.own().size).toBe(0);
    // Not resumed yet, and still deployed: the status says so, and the board in Redis keeps the run.
    expect((await call(follower, 'GET', '/api/pipelines/live/status')).json.status).toBe('running');
    expect(Object.keys(await redis.hgetall(`${c.prefix}:cluster:runs`))).toContain('live');
    release();
    await until('the run is resumed', () => follower.deployments.own().get('live')?.status() === 'running');
    expect((await call(follower, 'GET', '/api/pipelines/live/status')).json.status).toBe('running');
    await until('the board lists the resumed run', async () => {
      const entry = (await redis.hgetall(`${c.prefix}:cluster:runs`)).live;
      return entry !== undefined && JSON.parse(entry).status === 'running';
    });
  }, 90_000);

  it('answers 503 no-leader when the leader does not answer, and leads once the lease is free', async () => {
    const cl = newCluster();
    const prefix = cl.prefix;
    const dir = tmp();
    // A leader that is gone without giving the lease up (its key not expired yet).
    await redis.set(`${prefix}:leader`, 'ghost 1 0', 'PX', 60_000);
    const lines: string[] = [];
    const follower = await server(cl, dir, lines);
    expect((await call(follower, 'GET', '/api/cluster')).json.leader.id).toBe('ghost');
    expect((await call(follower, 'POST', '/api/pipelines', generatorDoc('live'))).status).toBe(201);
    const r = await call(follower, 'POST', '/api/pipelines/live/deploy');
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('no-leader');
    expect(r.json.error.message).toMatch(/the leading server \(ghost\) did not answer within 2 s/);
    // A request waiting for the ghost ends when its lease goes (here: deleted, as if expired),
    // not at the end of the (now long) wait.
    process.env.SLUICE_LEADER_FORWARD_MS = '60000';
    await redis.del(`${prefix}:cluster:inbox:ghost`); // the first request, never popped
    const waiting = call(follower, 'POST', '/api/pipelines/live/deploy');
    await until("the request is in the ghost's inbox", async () => (await redis.llen(`${prefix}:cluster:inbox:ghost`)) === 1);
    await redis.del(`${prefix}:leader`);
    const ended = await waiting;
    process.env.SLUICE_LEADER_FORWARD_MS = '1500';
    expect(ended.status).toBe(503);
    expect(ended.json.error.message).toMatch(/the leading server \(ghost\) lost its lease before answering/);
    // With the ghost's key gone, the follower takes the lease at its next try and deploys itself.
    await until('the follower leads', async () => (await call(follower, 'GET', '/api/cluster')).json.leader?.id !== undefined);
    const c = (await call(follower, 'GET', '/api/cluster')).json;
    expect(c.leader.id).toBe(c.self);
    expect(lines.some((l) => /is now the leader/.test(l))).toBe(true);
    expect((await call(follower, 'POST', '/api/pipelines/live/deploy')).status).toBe(200);
    expect(follower.deployments.own().has('live')).toBe(true);
  }, 60_000);
});

describe('alert states across a leader change', () => {
  let receiver: HookReceiver;
  let hooks: HookReceiver['hooks'] = [];
  let hookUrl = '';
  beforeAll(async () => {
    receiver = await startHookReceiver();
    hooks = receiver.hooks;
    hookUrl = receiver.url;
  });
  afterAll(() => receiver.close());

  it('the new leader goes on from the states the stopped leader left: no second firing, the pending clock kept', async () => {
    const c = newCluster();
    const dir = tmp();
    const first = await server(c, dir);
    const second = await server(c, dir);
    workers.push(spawnWorkers(1, { redisUrl: REDIS_URL, prefix: c.prefix }));
    // 2000 events/s: both rules hold as soon as a rate is measured.
    const doc = {
      ...generatorDoc('watched'),
      alerts: {
        rules: [
          { id: 'fires', node: 'orders', when: 'rate_below', value: 1e9, for: '2s', notify: ['hook'] },
          { id: 'waits', node: 'orders', when: 'rate_below', value: 1e9, for: '1h', notify: ['hook'] },
        ],
        targets: [{ id: 'hook', type: 'webhook', url: hookUrl }],
      },
    };
    expect((await call(first, 'POST', '/api/pipelines', doc)).status).toBe(201);
    await until('a server leads', async () => (await call(first, 'GET', '/api/cluster')).json.leader?.id !== undefined);
    const deployed = await call(first, 'POST', '/api/pipelines/watched/deploy');
    expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
    const [leader, next] = first.deployments.own().has('watched') ? [first, second] : [second, first];
    type View = { rule: string; state: string; since?: number; measuredAt?: number };
    const view = async (s: RunningServer) => (await call(s, 'GET', '/api/pipelines/watched/alerts')).json.alerts as View[];
    const rule = (v: View[], id: string) => v.find((r) => r.rule === id)!;
    await until('fires is firing on the leader', async () => rule(await view(leader), 'fires').state === 'firing', 60_000);
    await until('its webhook arrives', () => hooks.length === 1);
    const before = await view(leader);
    expect(rule(before, 'waits').state).toBe('pending');
    const firingSince = rule(before, 'fires').since!;
    const pendingSince = rule(before, 'waits').since!;
    expect(hooks).toEqual([expect.objectContaining({ rule: 'fires', state: 'firing', since: firingSince })]);
    expect(await redis.exists(`${c.prefix}:alerts:{watched}`)).toBe(1);

    // The leader stops (SIGTERM's path: detach, give the lease up); the other takes over.
    await leader.close();
    const tookOver = Date.now();
    await until('the other server coordinates the run', () => next.deployments.own().get('watched')?.status() === 'running', 60_000);
    // Until it has measured with its own samples (a rate needs 10 s of them) it holds the states it read.
    await until(
      'the new leader measured fires itself',
      async () => (rule(await view(next), 'fires').measuredAt ?? 0) > tookOver + 10_000,
      60_000,
    );
    const after = await view(next);
    expect(rule(after, 'fires')).toMatchObject({ state: 'firing', since: firingSince });
    expect(rule(after, 'waits')).toMatchObject({ state: 'pending', since: pendingSince });
    expect(hooks).toHaveLength(1);

    // A write with an older leader's token is refused by the fence, and changes nothing.
    const stored = await redis.get(`${c.prefix}:alerts:{watched}`);
    const refused: string[] = [];
    const stale = new RedisAlertStates(
      redis,
      new RedisKeys(c.prefix),
      () => '1',
      (l) => refused.push(l),
    );
    expect(await stale.save('watched', new Map([['fires', { phase: 'ok' as const }]]))).toBe(false);
    expect(refused).toEqual([
      expect.stringMatching(
        /^alert states of pipeline watched not written: a newer leader \(token \d+\) evaluates them; this server holds token 1$/,
      ),
    ]);
    const now = JSON.parse((await redis.get(`${c.prefix}:alerts:{watched}`))!);
    expect(now.fires.phase).toBe('firing');
    expect(stored).not.toBeNull();

    // A stop deletes the states with the run's other keys.
    expect((await call(next, 'POST', '/api/pipelines/watched/stop')).json.status).toBe('stopped');
    expect(await redis.exists(`${c.prefix}:alerts:{watched}`)).toBe(0);
  }, 180_000);
});
