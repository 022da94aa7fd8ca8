// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are the subject of these tests, written as users write them
/**
 * `"${env:NAME}"` in config strings (GRAPH_FORMAT.md: secrets are written so and resolved at run
 * time): the validator accepts the reference without knowing the value, the compiled document
 * keeps it, and a run reads the value, checks it, and names the variable when it is missing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { afterEach, describe, expect, it } from 'vitest';
import { compilePipeline } from '../../engine/src/compile/compile-pipeline.js';
import { EmbeddedRunner } from '../../engine/src/runners/embedded/embedded-runner.js';

const doc = (nodes: Record<string, unknown>[], edges: Record<string, unknown>[] = []) => ({ format: 'sluice/v1', nodes, edges });
const errors = (d: unknown) => validateDocument(d, nodeDefinitions).diagnostics.filter((x) => x.severity === 'error');

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
    const d = doc([
      { id: 'in', type: 'source.redis-stream', config: { url: '${env:CACHE_URL}', stream: 'orders' } },
      { id: 'db', type: 'sink.postgres', config: { url: 'postgres://shop:${env:SHOP_DB_PASSWORD}@db:5432/shop', table: 'orders', columns: ['id'] } },
    ], [{ id: 'e', source: 'in', target: 'db' }]);
    expect(errors(d)).toEqual([]);
    // The compiled document keeps the references: the values never enter it.
    const { document } = compilePipeline(d);
    expect(document!.nodes.map((n) => n.config.url)).toEqual(['${env:CACHE_URL}', 'postgres://shop:${env:SHOP_DB_PASSWORD}@db:5432/shop']);
  });

  it('a malformed reference is refused, naming the node and field', () => {
    const d = doc([
      { id: 'in', type: 'source.generator', config: { scenario: 'orders', count: 1 } },
      { id: 'out', type: 'sink.file', config: { path: '${env:1DIR}/out.jsonl' } },
    ], [{ id: 'e', source: 'in', target: 'out' }]);
    expect(errors(d)).toEqual([expect.objectContaining({ nodeId: 'out', path: 'config.path', code: 'invalid-env-ref', message: expect.stringContaining('1DIR') })]);
  });

  it('a run reads the value from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-env-'));
    env('SLUICE_TEST_OUT_DIR', dir);
    const d = doc([
      { id: 'in', type: 'source.generator', config: { scenario: 'orders', count: 5, seed: 1 } },
      { id: 'out', type: 'sink.file', config: { path: '${env:SLUICE_TEST_OUT_DIR}/orders.jsonl' } },
    ], [{ id: 'e', source: 'in', target: 'out' }]);
    const handle = await new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: tmpdir() });
    expect((await handle.done).status).toBe('completed');
    expect(readFileSync(join(dir, 'orders.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('a run whose variable is not set fails at start, naming the node, the field and the variable', async () => {
    const d = doc([
      { id: 'in', type: 'source.generator', config: { scenario: 'orders', count: 5 } },
      { id: 'out', type: 'sink.file', config: { path: '${env:SLUICE_TEST_NOT_SET}/orders.jsonl' } },
    ], [{ id: 'e', source: 'in', target: 'out' }]);
    await expect(new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: tmpdir() })).rejects.toThrow(
      'out: config.path: the environment variable SLUICE_TEST_NOT_SET is not set (${env:SLUICE_TEST_NOT_SET})',
    );
  });

  it('a value that turns out malformed fails at start, checked as the validator would have', async () => {
    env('SLUICE_TEST_CACHE_URL', 'http://not-redis:6379');
    const d = doc([
      { id: 'in', type: 'source.redis-stream', config: { url: '${env:SLUICE_TEST_CACHE_URL}', stream: 'orders' } },
      { id: 'out', type: 'sink.console', config: {} },
    ], [{ id: 'e', source: 'in', target: 'out' }]);
    await expect(new EmbeddedRunner().deploy(compilePipeline(d).document!, { baseDir: tmpdir() })).rejects.toThrow(/^in: config\.url: a Redis URL starts with redis:\/\//);
  });
});
