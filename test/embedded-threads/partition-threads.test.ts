/**
 * The embedded runner's partition threads (docs/embedded-threads.md), beyond what the runner
 * contract and the golden suite check at 2 and 4 partitions: a thread whose operator throws
 * fails the run with a message naming the thread and the node; a node that cannot start in a
 * thread makes the deploy fail with a StartFailure; and no thread outlives its run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner, loadPlugins } from '@sluice/engine';
import { compiled, liveThreadCount, readJsonl, waitFor } from '@sluice/engine/testing';

const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await loadPlugins([new URL('./exploding-node', import.meta.url).pathname]);
});

function explodingDoc(rows: object[]) {
  writeFileSync(join(dir, 'in.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  return {
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.file', config: { path: 'in.jsonl' } },
      { id: 'boom', type: 'test.explode', config: {} },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'a', source: 'src', target: 'boom' },
      { id: 'b', source: 'boom', target: 'out' },
    ],
  };
}

describe('partition threads', () => {
  it('run a plugin node type in the threads (the plugin loads there too)', async () => {
    const runner = new EmbeddedRunner({ threads: true });
    const handle = await runner.deploy(compiled(explodingDoc([{ k: 'a' }, { k: 'b' }, { k: 'c' }])), { baseDir: dir, partitions: 2 });
    const result = await handle.done;
    expect(result.status).toBe('completed');
    expect(readJsonl(join(dir, 'out.jsonl')).sort((x, y) => String(x.k).localeCompare(String(y.k)))).toEqual([
      { k: 'a' },
      { k: 'b' },
      { k: 'c' },
    ]);
    expect(result.metrics.nodes.boom).toMatchObject({ in: 3, out: 3 });
    expect(liveThreadCount()).toBe(0);
  });

  it('fail the run with a clear message when an operator in a thread throws, and leave no thread', async () => {
    const runner = new EmbeddedRunner({ threads: true });
    const handle = await runner.deploy(compiled(explodingDoc([{ k: 'a' }, { k: 'b', boom: true }, { k: 'c' }])), {
      baseDir: dir,
      partitions: 2,
    });
    const result = await handle.done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^partition thread [01] failed: boom: exploded on key b$/);
    expect(liveThreadCount()).toBe(0);
  });

  it('fail the deploy with a StartFailure naming the node when it cannot start in a thread', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const doc = explodingDoc([{ k: 'a' }]);
    doc.nodes[2]!.config = { path: 'a-folder' };
    await expect(new EmbeddedRunner({ threads: true }).deploy(compiled(doc), { baseDir: dir, partitions: 2 })).rejects.toMatchObject({
      name: 'StartFailure',
      message: expect.stringMatching(/^out: /),
    });
    expect(liveThreadCount()).toBe(0);
  });

  it('release every part of an unbounded run from the pooled threads when it is stopped', async () => {
    const runner = new EmbeddedRunner({ threads: true });
    const doc = {
      format: 'sluice/v1',
      nodes: [
        { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 0, seed: 1 } },
        {
          id: 'per_sku',
          type: 'window',
          config: { type: 'tumbling', size: '1s', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] },
        },
        { id: 'out', type: 'sink.file', config: { path: 'per-sku.jsonl' } },
      ],
      edges: [
        { id: 'a', source: 'gen', target: 'per_sku' },
        { id: 'b', source: 'per_sku', target: 'out' },
      ],
    };
    const handle = await runner.deploy(compiled(doc), { baseDir: dir, partitions: 2 });
    expect(liveThreadCount()).toBe(2);
    await waitFor(() => (handle.metrics().nodes.per_sku?.in ?? 0) > 0, 60_000);
    const result = await handle.stop();
    expect(result.status).toBe('stopped');
    expect(liveThreadCount()).toBe(0);
  });
});
