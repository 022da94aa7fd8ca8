// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are written as users write them
/**
 * A canary secret, used the way docs/secrets.md says to (a `${env:...}` password inside a
 * connection URL, a `${env:...}` database name, a SLUICE_SECRET_ value), must appear in no
 * answer of any route, no live stream message, no server log line and nothing the CLI prints.
 * The failures are real: PostgreSQL on a closed port, a Redis stream key that holds a string.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '@sluice/engine';
import { readSse, waitFor } from '@sluice/engine/testing';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../../nodes/src/redis-stream/redis-test-client.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const CANARY = `canary-7f3a${randomUUID().slice(0, 8)}`;
const CANARY_DB = `canarydb${randomUUID().slice(0, 8)}`;
const CANARY_SECRET = `canary-secret-${randomUUID().slice(0, 8)}`;
const VARS = { SLUICE_CANARY_PW: CANARY, SLUICE_CANARY_DB: CANARY_DB, SLUICE_SECRET_CANARY_PW: CANARY_SECRET };
const PREFIX = `${TEST_KEY_ROOT}:canary:${randomUUID()}`;
const ROOT = new URL('../../', import.meta.url).pathname;
const redisHost = new URL(TEST_REDIS_URL).host;

const pgDoc = {
  format: 'sluice/v1',
  id: 'pg',
  nodes: [
    {
      id: 'in',
      type: 'source.postgres',
      config: {
        url: 'postgres://sluice:${env:SLUICE_CANARY_PW}@127.0.0.1:1/${env:SLUICE_CANARY_DB}',
        table: 'orders',
        cursorColumn: 'id',
        passwordSecret: 'CANARY_PW',
      },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [{ id: 'e', source: 'in', target: 'out' }],
};
const rsDoc = {
  format: 'sluice/v1',
  id: 'rs',
  nodes: [
    {
      id: 'in',
      type: 'source.redis-stream',
      config: { url: `redis://:\${env:SLUICE_CANARY_PW}@${redisHost}`, stream: `${PREFIX}:not-a-stream`, start: 'earliest' },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [{ id: 'e', source: 'in', target: 'out' }],
};

let server: RunningServer;
let redis: Redis;
const log: string[] = [];
const seen: { where: string; text: string }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sluice-canary-'));

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  seen.push({ where: `${method} ${path}`, text });
  return { status: res.status, text };
}

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'engine/src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...VARS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => done({ code, out }));
  });
}

beforeAll(async () => {
  Object.assign(process.env, VARS);
  redis = await connectTestRedis();
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'data'),
    examplesDir: join(dir, 'no-examples'),
    editorDist: join(dir, 'no-dist'),
    log: (l) => log.push(l),
  });
});

afterAll(async () => {
  await server?.close();
  await releaseTestRedis(redis, PREFIX);
  for (const k of Object.keys(VARS)) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

describe('a canary secret appears in no answer, stream, log or CLI output', () => {
  it('deploy and connection-check errors name the URL with its password masked', async () => {
    expect((await call('POST', '/api/pipelines', pgDoc)).status).toBe(201);
    const dep = await call('POST', '/api/pipelines/pg/deploy');
    expect(dep.status).toBe(500);
    expect(JSON.parse(dep.text).error.message).toContain('cannot connect to PostgreSQL at postgres://sluice:***@127.0.0.1:1/***');
    const check = await call('POST', '/api/pipelines/pg/nodes/in/check');
    expect(JSON.parse(check.text)).toMatchObject({ ok: false, message: expect.stringContaining('postgres://sluice:***@127.0.0.1:1/***') });
  });

  it('a run that fails while running: its status and the metrics stream mask the URL', async () => {
    expect((await call('POST', '/api/pipelines', rsDoc)).status).toBe(201);
    const dep = await call('POST', '/api/pipelines/rs/deploy');
    expect(dep.status, dep.text).toBe(200);
    // The key turns into a string under the running source: its next read fails, naming the URL.
    await redis.set(`${PREFIX}:not-a-stream`, 'a string, not a stream');
    await waitFor(async () => JSON.parse((await call('GET', '/api/pipelines/rs/status')).text).status === 'failed', 10_000);
    const status = JSON.parse((await call('GET', '/api/pipelines/rs/status')).text);
    expect(JSON.stringify(status)).toContain(`redis://:***@${redisHost}`);
    const res = await fetch(`${server.url}/api/pipelines/rs/metrics?intervalMs=100`);
    const messages = await readSse(res, (s) => s.length >= 2);
    seen.push({ where: 'GET /api/pipelines/rs/metrics (SSE)', text: JSON.stringify(messages) });
    expect(messages.length).toBeGreaterThan(0);
  });

  it('every route answer and every server log line is free of the canary', async () => {
    for (const id of ['pg', 'rs']) {
      for (const path of [
        `/api/pipelines/${id}`,
        `/api/pipelines/${id}/versions`,
        `/api/pipelines/${id}/versions/1`,
        `/api/pipelines/${id}/status`,
        `/api/pipelines/${id}/audit`,
      ]) {
        expect((await call('GET', path)).status, path).toBe(200);
      }
      await call('POST', `/api/pipelines/${id}/validate`);
    }
    for (const path of ['/api/pipelines', '/api/audit', '/metrics']) await call('GET', path);
    expect(log.some((l) => l.includes('pipeline rs failed'))).toBe(true);
    for (const secret of [CANARY, CANARY_DB, CANARY_SECRET]) {
      expect(seen.filter((s) => s.text.includes(secret)).map((s) => s.where)).toEqual([]);
      expect(log.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  it('sluice run and sluice check print the failure without the canary', async () => {
    const file = join(dir, 'pg.json');
    writeFileSync(file, JSON.stringify(pgDoc));
    const run = await cli(['run', file]);
    const check = await cli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('postgres://sluice:***@127.0.0.1:1/***');
    expect(check.code).toBe(1);
    expect(check.out).toContain('postgres://sluice:***@127.0.0.1:1/***');
    for (const secret of [CANARY, CANARY_DB, CANARY_SECRET]) {
      expect(run.out).not.toContain(secret);
      expect(check.out).not.toContain(secret);
    }
  }, 90_000);
});
