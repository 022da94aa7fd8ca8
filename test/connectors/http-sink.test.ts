/**
 * sink.http in a pipeline, on the embedded runner and on BullMQ workers, against a local HTTP
 * server that fails on purpose: every event's first try gets 503, and orders whose id is a
 * multiple of 4 are refused for good (400). The refused ones must come out of the sink's
 * `error` port into a file; every other one must reach the server, under one idempotency key.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys, readJsonl, runToEnd } from '@sluice/engine/testing';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `${TEST_KEY_ROOT}:http-sink:${randomUUID()}`;
const ORDERS = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, amount: (i + 1) * 10 }));

/** key -> statuses answered, in order; and the bodies accepted (200) per key. */
let answered = new Map<string, number[]>();
let accepted = new Map<string, unknown>();
let server: Server;
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'sluice-http-sink-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
      const seen = answered.get(key) ?? [];
      const status = body.id % 4 === 0 ? 400 : seen.length === 0 ? 503 : 200;
      answered.set(key, [...seen, status]);
      if (status === 200) accepted.set(key, body);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  writeFileSync(join(dir, 'orders.jsonl'), ORDERS.map((o) => JSON.stringify(o)).join('\n'));
  // As an operator would: this server's hooks are on loopback (workers inherit the environment).
  process.env.SLUICE_HTTP_SINK_ALLOW = '127.0.0.1/32';
});

afterAll(async () => {
  delete process.env.SLUICE_HTTP_SINK_ALLOW;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
  await deletePrefixKeys(REDIS, REDIS_PREFIX);
});

function doc(errorsFile: string) {
  return {
    format: 'sluice/v1',
    id: `http-sink-${randomUUID()}`,
    nodes: [
      { id: 'orders', type: 'source.file', config: { path: 'orders.jsonl' } },
      {
        id: 'hook',
        type: 'sink.http',
        config: { url, mode: 'single', idempotencyField: 'id', backoff: 5, maxBackoff: 20, maxAttempts: 3 },
      },
      { id: 'undelivered', type: 'sink.file', config: { path: errorsFile, mode: 'overwrite' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'hook' },
      { id: 'e2', source: 'hook', sourcePort: 'error', target: 'undelivered' },
    ],
  };
}

function expectDelivered(errorsFile: string): void {
  // Delivered on the second try, once each: ids 1-3 and 5-7, under their own ids as keys.
  expect([...accepted.keys()].sort()).toEqual(['1', '2', '3', '5', '6', '7']);
  for (const key of accepted.keys()) expect(answered.get(key), key).toEqual([503, 200]);
  // Refused for good on the first answer: 4 and 8, out of the error port with the reason.
  expect(answered.get('4')).toEqual([400]);
  expect(answered.get('8')).toEqual([400]);
  const errors = readJsonl(join(dir, errorsFile)) as { id: number; _error: { node: string; code: string; message: string } }[];
  expect(errors.map((e) => e.id).sort()).toEqual([4, 8]);
  for (const e of errors) {
    expect(e._error).toMatchObject({ node: 'hook', code: 'http-refused' });
    expect(e._error.message).toContain(`POST ${url} answered HTTP 400`);
  }
}

describe('sink.http in a pipeline (a local server failing on purpose)', { timeout: 180_000 }, () => {
  it('embedded: retries to delivery, and sends what the server refused to the error port', async () => {
    answered = new Map();
    accepted = new Map();
    const runner = new EmbeddedRunner();
    try {
      const result = await runToEnd(runner, doc('embedded-errors.jsonl'), { baseDir: dir });
      expect(result.status, result.error).toBe('completed');
      expectDelivered('embedded-errors.jsonl');
      expect(result.metrics.nodes.hook).toMatchObject({ in: 8, errors: 2 });
    } finally {
      await runner.close();
    }
  });

  it('BullMQ workers: the same, with the error port crossing into the next task', async () => {
    answered = new Map();
    accepted = new Map();
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix: REDIS_PREFIX });
    if (!(await runner.ready())) throw new Error(`this test needs the Redis at ${REDIS} (set REDIS_URL)`);
    const workers = spawnWorkers(1, { redisUrl: REDIS, prefix: REDIS_PREFIX });
    try {
      const result = await runToEnd(runner, doc('bullmq-errors.jsonl'), { baseDir: dir });
      expect(result.status, result.error).toBe('completed');
      expectDelivered('bullmq-errors.jsonl');
    } finally {
      await workers.stop();
      await runner.close();
    }
  });
});
