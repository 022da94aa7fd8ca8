/**
 * Sticky notes and groups are editor-only (docs/graph-format.md "Notes and groups"): a document
 * carrying them runs exactly as the same document without them, and a bad one is refused before
 * anything runs, at its place.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '@sluice/engine';
import { compiled, readJsonl, runToEnd } from '@sluice/engine/testing';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const plain = {
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.file', config: { path: 'in.jsonl', timeField: 'ts' } },
    { id: 'big', type: 'filter', config: { expression: 'x >= 2' } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'a', source: 'src', target: 'big' },
    { id: 'b', source: 'big', target: 'out' },
  ],
};
const annotated = {
  ...plain,
  notes: [{ id: 'note1', text: 'x >= 2 only', position: { x: 0, y: 200 }, color: 'yellow' }],
  groups: [{ id: 'group1', label: 'Keep', color: '#2dd4bf', nodes: ['big', 'out'] }],
};

async function run(doc: unknown): Promise<unknown[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-annotations-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'in.jsonl'), '{"ts":1,"x":1}\n{"ts":2,"x":2}\n{"ts":3,"x":3}\n');
  const result = await runToEnd(new EmbeddedRunner(), doc, { baseDir: dir, batchSize: 10 });
  expect(result.status).toBe('completed');
  return readJsonl(join(dir, 'out.jsonl')).map((r) => r.x);
}

describe('notes and groups in a running document', () => {
  it('change nothing the pipeline computes', async () => {
    expect(await run(annotated)).toEqual([2, 3]);
    expect(await run(plain)).toEqual([2, 3]);
  });

  it('are checked before anything runs', () => {
    expect(() => compiled({ ...annotated, groups: [{ id: 'group1', label: 'Keep', nodes: ['gone'] }] })).toThrow(
      '"gone" is not a node of this document',
    );
  });
});
