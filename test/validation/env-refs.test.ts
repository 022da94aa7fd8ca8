// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are the subject of these tests, written as users write them
/**
 * `"${env:NAME}"` in connection fields (GRAPH_FORMAT.md: secrets are written so and resolved at
 * run time): the validator accepts the reference without knowing the value, the compiled
 * document keeps it, and a run reads the value, checks it, and names the variable when it is
 * missing. Anywhere else (paths, expressions) it is refused: test/security/paths-and-env.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDocument } from '@sluice/shared';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../../nodes/src/redis-stream/redis-test-client.js';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compilePipeline, EmbeddedRunner } from '@sluice/engine';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const doc = (nodes: Record<string, unknown>[], edges: Record<string, unknown>[] = []) => ({ format: 'sluice/v1', nodes, edges });
const errors = (d: unknown) => validateDocument(d, nodeDefinitions).diagnostics.filter((x) => x.severity === 'error');

const PREFIX = `${TEST_KEY_ROOT}:env-refs:${randomUUID()}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const set: string[] = [];
afterEach(() => {
  for (const k of set.splice(0)) delete process.env[k];
});
function env(name: string, value: string): void {
  process.env[name] = value;
  set.push(name);
}

describe('${env:NAME} references in configs', () => {
  it('are accepted by the validator in place of a value it cannot know, whole or inside a string', () => {
    const d = doc(
      [
        { id: 'in', type: 'source.redis-stream', config: { url: '${env:CACHE_URL}', stream: 'orders' } },
        {
          id: 'db',
          type: 'sink.postgres',
          config: { url: 'postgres://shop:${env:SHOP_DB_PASSWORD}@db:5432/shop', table: 'orders', columns: ['id'] },
        },
      ],
      [{ id: 'e', source: 'in', target: 'db' }],
    );
    expect(errors(d)).toEqual([]);
    // The compiled document keeps the references: the values never enter it.
    const { document } = compilePipeline(d);
    expect(document!.nodes.map((n) => n.config.url)).toEqual(['${env:CACHE_URL}', 'postgres://shop:${env:SHOP_DB_PASSWORD}@db:5432/shop']);
  });

  it('a malformed reference is refused, naming the node and field', () => {
    const d = doc(
      [
        { id: 'in', type: 'source.redis-stream', config: { url: '${env:1URL}', stream: 'orders' } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      [{ id: 'e', source: 'in', target: 'out' }],
    );
    expect(errors(d)).toEqual([
      expect.objectContaining({ nodeId: 'in', path: 'config.url', code: 'invalid-env-ref', message: expect.stringContaining('1URL') }),
    ]);
  });

  it('a run reads the value from the environment', async () => {
    const redis = await connectTestRedis();
    const stream = `${PREFIX}:orders`;
    try {
      for (const id of [1, 2, 3]) await redis.xadd(stream, '*', 'data', JSON.stringify({ id }));
      env('SLUICE_TEST_CACHE_URL', TEST_REDIS_URL);
      const d = doc(
        [
          {
            id: 'in',
            type: 'source.redis-stream',
            config: { url: '${env:SLUICE_TEST_CACHE_URL}', stream, start: 'earliest', stopAtEnd: true },
          },
          { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
        ],
        [{ id: 'e', source: 'in', target: 'out' }],
      );
      const handle = await new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: dir });
      expect((await handle.done).status).toBe('completed');
      expect(
        readFileSync(join(dir, 'orders.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).id),
      ).toEqual([1, 2, 3]);
    } finally {
      await releaseTestRedis(redis, PREFIX);
    }
  });

  it('a run whose variable is not set fails at start, naming the node, the field and the variable', async () => {
    const d = doc(
      [
        { id: 'in', type: 'source.redis-stream', config: { url: '${env:SLUICE_TEST_NOT_SET}', stream: 'orders' } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      [{ id: 'e', source: 'in', target: 'out' }],
    );
    await expect(new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: tmpdir() })).rejects.toThrow(
      'in: config.url: the environment variable SLUICE_TEST_NOT_SET is not set (${env:SLUICE_TEST_NOT_SET})',
    );
  });

  it('a value that turns out malformed fails at start, checked as the validator would have', async () => {
    env('SLUICE_TEST_CACHE_URL', 'http://not-redis:6379');
    const d = doc(
      [
        { id: 'in', type: 'source.redis-stream', config: { url: '${env:SLUICE_TEST_CACHE_URL}', stream: 'orders' } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      [{ id: 'e', source: 'in', target: 'out' }],
    );
    await expect(new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: tmpdir() })).rejects.toThrow(
      /^in: config\.url: a Redis URL starts with redis:\/\//,
    );
  });
});
