/**
 * The window golden cases again, through the whole engine: a file source with the case's
 * maxOutOfOrderness, the window, sinks on `out` and `late`, at batch sizes 1, 7, 1000 and 1 and
 * 2 and 4 partitions (2 and 4 on partition threads, docs/embedded-threads.md). The output must be
 * the case's expected output every time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGoldenCases, tempFolders } from '@sluice/nodes/testing';
import { EmbeddedRunner } from '@sluice/engine';
import { readJsonl, runToEnd, sortRows } from '@sluice/engine/testing';
import { nodeDefinitions } from '@sluice/nodes/definitions';

const goldenDir = tempFolders('sluice-golden-');

const cases = loadGoldenCases(new URL('../../nodes/src/window/cases', import.meta.url)).filter(({ c }) => c.source && !c.expect.error);

/** A file source with the case's events, the window, a sink on `out`, and one on `late` when asked. */
function caseDocument(c: (typeof cases)[number]['c'], lateSink: boolean) {
  return {
    format: 'sluice/v1',
    nodes: [
      {
        id: 'src',
        type: 'source.file',
        config: { path: 'in.jsonl', timeField: c.timeField ?? 'ts', maxOutOfOrderness: c.source!.maxOutOfOrderness ?? 0 },
      },
      { id: 'node', type: 'window', config: c.config },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      ...(lateSink ? [{ id: 'late', type: 'sink.file', config: { path: 'late.jsonl' } }] : []),
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'node' },
      { id: 'e2', source: 'node', target: 'out' },
      ...(lateSink ? [{ id: 'e3', source: 'node', sourcePort: 'late', target: 'late' }] : []),
    ],
  };
}

describe('window golden cases through the embedded runner', () => {
  it('has cases to run', () => expect(cases.length).toBeGreaterThan(5));
  for (const { file, c } of cases) {
    for (const batchSize of [1, 7, 1000]) {
      for (const partitions of [1, 2, 4]) {
        it(`${file} (batch ${batchSize}, ${partitions} partitions)`, async () => {
          const dir = goldenDir();
          const events = c.steps.flatMap((s) => ('events' in s ? s.events : []));
          writeFileSync(join(dir, 'in.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
          const doc = caseDocument(c, c.connected?.includes('late') !== false);
          const result = await runToEnd(new EmbeddedRunner({ threads: partitions > 1 }), doc, { baseDir: dir, batchSize, partitions });
          expect(result.status).toBe('completed');
          expect(sortRows(readJsonl(join(dir, 'out.jsonl')))).toEqual(sortRows(c.expect.out ?? []));
          expect(sortRows(readJsonl(join(dir, 'late.jsonl')))).toEqual(sortRows(c.expect.late ?? []));
          if (c.counters?.late !== undefined) expect(result.metrics.nodes.node!.late).toBe(c.counters.late);
        });
      }
    }
  }
});

/**
 * The cases again without the late sink where the window then combines (docs/combiner.md): on
 * partition threads the events cross the exchange as partial rows; the windows and the late
 * count must still be the case's.
 */
const windowType = nodeDefinitions.get('window')!;
const combining = cases.filter(({ c }) => windowType.combines!(c.config, () => false) !== undefined);

describe('window golden cases through a combined exchange (partition threads, late port not connected)', () => {
  it('has cases to run', () => expect(combining.length).toBeGreaterThan(3));
  for (const { file, c } of combining) {
    for (const batchSize of [1, 7, 1000]) {
      for (const partitions of [2, 4]) {
        it(`${file} (batch ${batchSize}, ${partitions} partitions)`, async () => {
          const dir = goldenDir();
          const events = c.steps.flatMap((s) => ('events' in s ? s.events : []));
          writeFileSync(join(dir, 'in.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
          const doc = caseDocument(c, false);
          const result = await runToEnd(new EmbeddedRunner({ threads: true }), doc, { baseDir: dir, batchSize, partitions });
          expect(result.status).toBe('completed');
          expect(sortRows(readJsonl(join(dir, 'out.jsonl')))).toEqual(sortRows(c.expect.out ?? []));
          const m = result.metrics.nodes.node!;
          expect(m.late).toBe(c.counters?.late ?? (c.expect.late ?? []).length);
          // `in` counts events, not partial rows.
          expect(m.in).toBe(result.metrics.edges.e1!.events);
        });
      }
    }
  }
});
