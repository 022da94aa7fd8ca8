/**
 * Several machines, as far as the network goes: Redis on a bridge, the server and three workers
 * each in a network namespace of its own (net-lab.ts), PostgreSQL reached through a proxy on the
 * bridge. Nothing is shared but Redis and PostgreSQL (and the file system, which holds the sink
 * file a deployment writes, as a shared disk would). YSB is deployed through the server's API; one
 * worker's link is cut for 20 s mid-run and another is killed with SIGKILL; the sink file must
 * equal the embedded engine's output: lost 0, duplicated 0, values equal. Then two servers, each
 * in a namespace of its own, on their own prefix and schema: the leader is killed with SIGKILL
 * mid-run, the other takes the lease over and the run completes exactly once.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner, stopProcess } from '@sluice/engine';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { YSB_DIR, ysbDocumentFor } from '../distributed/ysb-fixture.js';
import { compareOutputs } from '../faults/support/compare-outputs.js';
import { OwnRedis } from '../faults/support/own-redis.js';
import { sinkLines } from '../faults/support/sluice-server.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { FULL } from '../faults/support/ysb-drill.js';
import { type Host, NetLab } from './support/net-lab.js';

const EVENTS = FULL ? 1_000_000 : 300_000;
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PORT = 8080; // every host has its own port space
const CUT_MS = 20_000;
// A server that listens beyond loopback refuses to start without tokens (docs/auth.md).
const TOKEN = `sluice_${randomBytes(32).toString('base64url')}`;
const TOKENS = `multihost:admin:sha256:${createHash('sha256').update(TOKEN).digest('hex')}`;

let lab: NetLab;
let redis: OwnRedis;
let dataDir: string;
let schema: string;
let pgPort: number;
const prefix = `${TEST_KEY_ROOT}-mh`;

beforeAll(async () => {
  lab = NetLab.create();
  redis = await OwnRedis.start({ alsoBind: lab.gateway });
  pgPort = await lab.proxy(Number(new URL(PG_URL).port || 5432));
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-multihost-'));
  mkdirSync(join(dataDir, 'files'), { recursive: true });
  copyFileSync(join(YSB_DIR, 'campaigns.jsonl'), join(dataDir, 'files', 'campaigns.jsonl'));
  schema = `sluice_mh_${process.pid}`;
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (schema) {
    const r = spawnSync(
      'psql',
      [PG_URL, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${TWO.schema} CASCADE`],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`could not drop the test schema ${schema}: ${r.error?.message ?? r.stderr}`);
  }
});

/** The second test's cluster: a prefix and schema of its own, so the first test's processes are not part of it. */
const TWO = { prefix: `${TEST_KEY_ROOT}-mh2`, schema: `sluice_mh2_${process.pid}` };

function env(o: { prefix: string; schema: string } = { prefix, schema }): Record<string, string> {
  const db = new URL(PG_URL);
  db.hostname = lab.gateway;
  db.port = String(pgPort);
  return {
    REDIS_URL: `redis://${lab.gateway}:${redis.port}`,
    SLUICE_PREFIX: o.prefix,
    SLUICE_DATA_DIR: dataDir,
    DATABASE_URL: db.toString(),
    SLUICE_DB_SCHEMA: o.schema,
  };
}

function startServer(host: Host, o?: { prefix: string; schema: string }): Promise<{ url: string; process: ChildProcess }> {
  let log = '';
  return new Promise((resolve, reject) => {
    const p = lab.sluice(host, ['serve', '--port', String(PORT)], { ...env(o), HOST: host.address, SLUICE_TOKENS: TOKENS }, (chunk) => {
      log += chunk;
      if (/Sluice on http/.test(log)) resolve({ url: `http://${host.address}:${PORT}`, process: p });
    });
    p.once('exit', (code) => reject(new Error(`the server on ${host.name} exited (${code}) before listening: ${log}`)));
  });
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function embeddedOutput(dir: string): Promise<unknown[]> {
  const out = join(dir, 'embedded.jsonl');
  const h = await new EmbeddedRunner().deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, partitions: 2 });
  const r = await h.done;
  if (r.status !== 'completed') throw new Error(`the embedded reference run ${r.status}: ${r.error}`);
  return sinkLines(out);
}

describe('multi-host: a server and three workers in network namespaces of their own, joined to Redis over veth links', () => {
  it('YSB through the API stays exact through a 20 s link cut of one worker and kill -9 of another', async () => {
    const server = await startServer(lab.addHost('server-a'));
    const workers = ['w1', 'w2', 'w3'].map((name) => {
      const host = lab.addHost(name);
      return { host, process: lab.sluice(host, ['worker', '--quiet'], env()) };
    });
    const expected = await embeddedOutput(dataDir);
    const doc = ysbDocumentFor(EVENTS, 'counts.jsonl');
    doc.id = 'mh-ysb';
    expect((await call(server.url, 'POST', '/api/pipelines', doc)).status).toBe(201);
    // Every worker is up (each beats in Redis over its own link) before the run starts.
    await waitUntil(
      async () => ((await call(server.url, 'GET', '/api/workers')).json?.workers?.length ?? 0) >= 3,
      120_000,
      'three workers listed by the server',
    );
    expect((await call(server.url, 'POST', '/api/pipelines/mh-ysb/deploy')).status).toBe(200);
    const sinkIn = async (): Promise<number> =>
      (await call(server.url, 'GET', '/api/pipelines/mh-ysb/status')).json?.metrics?.nodes?.counts?.in ?? 0;
    await waitUntil(async () => (await sinkIn()) >= expected.length * 0.3, 300_000, '30 % of the windows committed');
    const [cut, killed] = [workers[0]!, workers[1]!];
    lab.cut(cut.host);
    const cutAt = Date.now();
    // The faults must land mid-run, or the drill proves nothing.
    expect((await call(server.url, 'GET', '/api/pipelines/mh-ysb/status')).json.status).toBe('running');
    expect(await sinkIn()).toBeLessThan(expected.length);
    await waitUntil(
      async () => (await sinkIn()) >= expected.length * 0.5 || Date.now() - cutAt > CUT_MS / 2,
      300_000,
      'progress while cut',
    );
    expect((await call(server.url, 'GET', '/api/pipelines/mh-ysb/status')).json.status).toBe('running');
    await stopProcess(killed.process, 'SIGKILL');
    // The fault lasts 20 s (its length, not a wait for a result); then the link comes back.
    await waitUntil(() => Date.now() - cutAt >= CUT_MS, CUT_MS + 5_000, 'the cut to last 20 s');
    lab.restore(cut.host);
    await waitUntil(
      async () => (await call(server.url, 'GET', '/api/pipelines/mh-ysb/status')).json?.status !== 'running',
      600_000,
      'the run to end',
    );
    expect((await call(server.url, 'GET', '/api/pipelines/mh-ysb/status')).json.status).toBe('completed');
    const rows = sinkLines(join(dataDir, 'files', 'counts.jsonl'));
    const c = compareOutputs(expected, rows);
    expect({ lost: c.lost, duplicated: c.duplicated, wrong: c.wrong }, JSON.stringify(c.examples)).toEqual({
      lost: 0,
      duplicated: 0,
      wrong: 0,
    });
    expect(rows.length).toBe(expected.length);
  }, 900_000);

  it('two servers in namespaces of their own: kill -9 of the leader mid-run, the other takes over, and the output is exact', async () => {
    const leader = await startServer(lab.addHost('srv-l'), TWO);
    const follower = await startServer(lab.addHost('srv-f'), TWO);
    const leaderOf = async (base: string) => {
      const c = (await call(base, 'GET', '/api/cluster')).json as { leader?: { id: string }; servers: { id: string; pid: number }[] };
      return c.leader?.id;
    };
    const self = async (base: string) => ((await call(base, 'GET', '/api/cluster')).json as { self: string }).self;
    expect(await leaderOf(follower.url)).toBe(await self(leader.url));
    for (const name of ['v1', 'v2', 'v3']) lab.sluice(lab.addHost(name), ['worker', '--quiet'], env(TWO));
    const expected = await embeddedOutput(dataDir);
    const doc = ysbDocumentFor(EVENTS, 'counts2.jsonl');
    doc.id = 'mh-ysb2';
    // Stored and deployed through the follower: forwarded to the leader over Redis.
    expect((await call(follower.url, 'POST', '/api/pipelines', doc)).status).toBe(201);
    await waitUntil(
      async () => ((await call(follower.url, 'GET', '/api/workers')).json?.workers?.length ?? 0) >= 3,
      120_000,
      'three workers listed by the follower',
    );
    expect((await call(follower.url, 'POST', '/api/pipelines/mh-ysb2/deploy')).status).toBe(200);
    const status = async () => (await call(follower.url, 'GET', '/api/pipelines/mh-ysb2/status')).json;
    await waitUntil(
      async () => ((await status())?.metrics?.nodes?.counts?.in ?? 0) >= expected.length * 0.3,
      300_000,
      '30 % of the windows',
    );
    expect((await status()).status).toBe('running');
    await stopProcess(leader.process, 'SIGKILL');
    const survivor = await self(follower.url);
    await waitUntil(async () => (await leaderOf(follower.url)) === survivor, 60_000, 'the survivor took the lease');
    await waitUntil(async () => (await status())?.status !== 'running', 600_000, 'the run to end');
    expect((await status()).status).toBe('completed');
    const rows = sinkLines(join(dataDir, 'files', 'counts2.jsonl'));
    const c = compareOutputs(expected, rows);
    expect({ lost: c.lost, duplicated: c.duplicated, wrong: c.wrong }, JSON.stringify(c.examples)).toEqual({
      lost: 0,
      duplicated: 0,
      wrong: 0,
    });
    expect(rows.length).toBe(expected.length);
  }, 900_000);
});
