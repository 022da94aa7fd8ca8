import { tempFolders } from '@sluice/nodes/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { confinePaths } from '../deployments/path-confinement.js';
import { FileStore } from '../store/file-store.js';
import type { PipelineDocument } from '@sluice/shared';
import { LIVE_EXAMPLE_RATE } from './live-example.js';
import { loadExamples } from './load-examples.js';

const exDir = tempFolders('sluice-ex-');
const storeDir = tempFolders('sluice-examples-');

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const freshStore = () => new FileStore({ dataDir: storeDir() });

describe('loadExamples', () => {
  it('imports every example graph with its own folder as baseDir; each is valid and its files stay inside the examples', async () => {
    const store = freshStore();
    const loaded = await loadExamples({ store, examplesDir: EXAMPLES });
    expect(loaded).toEqual(expect.arrayContaining(['ysb', 'dynamic-pricing', 'fraud', 'iot-maintenance']));
    for (const id of loaded) {
      const p = (await store.get(id))!;
      expect(resolve(p.baseDir, '..'), id).toBe(resolve(EXAMPLES));
      const { document, diagnostics } = compilePipeline(p.document);
      expect(
        diagnostics.filter((d) => d.severity === 'error'),
        id,
      ).toEqual([]);
      expect(confinePaths(document!, p.baseDir, [store.defaultBaseDir, EXAMPLES]), id).toEqual([]);
      expect((await store.versions(id))[0], id).toMatchObject({
        author: 'sluice',
        action: 'import',
        note: expect.stringMatching(/^examples\/.+\.json$/),
      });
    }
    // ysb reads campaigns.jsonl beside it: the relative path resolves to a real file.
    const ysb = (await store.get('ysb'))!;
    expect(existsSync(join(ysb.baseDir, 'campaigns.jsonl'))).toBe(true);
  });

  it('skips files that are not documents, bad JSON, bad ids and ids already taken, and says why', async () => {
    const dir = exDir();
    mkdirSync(join(dir, 'one'));
    mkdirSync(join(dir, 'two'));
    const doc = (id?: string) => JSON.stringify({ format: 'sluice/v1', ...(id ? { id } : {}), nodes: [], edges: [] });
    writeFileSync(join(dir, 'one', 'one.json'), doc());
    writeFileSync(join(dir, 'one', 'rules.json'), JSON.stringify({ rows: [] }));
    writeFileSync(join(dir, 'one', 'broken.json'), '{ nope');
    writeFileSync(join(dir, 'two', 'Two Words.json'), doc());
    writeFileSync(join(dir, 'two', 'again.json'), doc('one'));
    writeFileSync(join(dir, 'README.json'), doc('top-level-ignored'));
    const lines: string[] = [];
    const store = freshStore();
    expect(await loadExamples({ store, examplesDir: dir, log: (l) => lines.push(l) })).toEqual(['one']);
    expect(lines).toEqual([
      expect.stringMatching(/^skipped examples\/one\/broken\.json/),
      expect.stringMatching(/^skipped examples\/two\/Two Words\.json: "Two Words" is not a pipeline id/),
      expect.stringMatching(/^skipped examples\/two\/again\.json: a pipeline "one" exists already/),
    ]);
    expect((await store.get('one'))!.baseDir).toBe(join(dir, 'one'));
  });

  it('a missing examples folder imports nothing', async () => {
    expect(await loadExamples({ store: freshStore(), examplesDir: join(tmpdir(), 'no-such-examples-folder') })).toEqual([]);
  });
});

describe('loadExamples live', () => {
  it('stores the live form: generators without count at a modest rate; the files keep their bounded form', async () => {
    const store = freshStore();
    const loaded = await loadExamples({ store, examplesDir: EXAMPLES, live: true });
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    for (const id of ['ysb', 'dynamic-pricing', 'fraud', 'iot-maintenance']) {
      const generators = (await store.get(id))!.document.nodes.filter((n) => n.type === 'source.generator');
      expect(generators.length, id).toBeGreaterThan(0);
      for (const g of generators) {
        expect(g.config.count, id).toBeUndefined();
        expect(g.config.rate, id).toBe(LIVE_EXAMPLE_RATE);
      }
    }
    // The file itself stays the bounded benchmark.
    const file = JSON.parse(readFileSync(join(EXAMPLES, 'fraud', 'fraud.json'), 'utf8')) as PipelineDocument;
    expect(file.nodes.find((n) => n.type === 'source.generator')!.config.count).toBe(300_000);
  });
});
