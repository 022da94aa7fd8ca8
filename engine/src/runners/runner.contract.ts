/**
 * The behaviour every runner must have (embedded now, BullMQ next): one suite, run against each
 * implementation (as n8n tests its in-memory and Bull job queues). Expected outputs are computed
 * by hand in the comments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '@sluice/nodes/testing';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { Runner, RunOptions } from './runner.js';

export interface RunnerUnderTest {
  name: string;
  create(): Promise<Runner>;
  /** Per test (BullMQ: worker processes take seconds to start on a busy machine); default the suite's. */
  timeoutMs?: number;
}

/** 9 events, 10 s tumbling windows, maxOutOfOrderness 5 s. */
const EVENTS = [
  { ts: 1000, k: 'a', amount: 5 },
  { ts: 2000, k: 'b', amount: 3 },
  { ts: 9999, k: 'a', amount: 1 },
  { ts: 10000, k: 'a', amount: 2 }, // exactly window_end of [0,10s): belongs to [10s,20s); wm -> 5000
  { ts: 3000, k: 'b', amount: 4 }, // behind wm 5000 but within disorder: on time for [0,10s)
  { ts: 25000, k: 'b', amount: 1 }, // wm -> 20000: [0,10s) and [10s,20s) close
  { ts: 4000, k: 'a', amount: 100 }, // [0,10s) already closed: late
  { ts: 26000, k: 'a', amount: 7 },
  { ts: 27000, k: 'c', amount: -1 }, // filtered out
];

const EXPECTED_WINDOWS = [
  { k: 'a', window_start: 0, window_end: 10000, n: 2, total: 6 },
  { k: 'b', window_start: 0, window_end: 10000, n: 2, total: 7 },
  { k: 'a', window_start: 10000, window_end: 20000, n: 1, total: 2 },
  { k: 'a', window_start: 20000, window_end: 30000, n: 1, total: 7 },
  { k: 'b', window_start: 20000, window_end: 30000, n: 1, total: 1 },
];

function windowDoc(): PipelineDocument {
  return {
    format: 'sluice/v1',
    id: 'contract-window',
    nodes: [
      { id: 'src', type: 'source.file', config: { path: 'events.jsonl', timeField: 'ts', maxOutOfOrderness: '5s' } },
      { id: 'positive', type: 'filter', config: { expression: 'amount >= 0' } },
      {
        id: 'win',
        type: 'window',
        config: {
          type: 'tumbling',
          size: '10s',
          keyBy: ['k'],
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'total', op: 'sum', field: 'amount' },
          ],
        },
      },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      { id: 'late', type: 'sink.file', config: { path: 'late.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'positive' },
      { id: 'e2', source: 'positive', target: 'win' },
      { id: 'e3', source: 'win', target: 'out' },
      { id: 'e4', source: 'win', sourcePort: 'late', target: 'late' },
    ],
  } as PipelineDocument;
}

/** Work folders with the given files in them, removed after the suite's tests. */
function workdirs(): (files: Record<string, string>) => string {
  const folder = tempFolders('sluice-contract-');
  return (files) => {
    const dir = folder();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
}

function jsonl(rows: readonly object[]): string {
  return `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

export function readJsonl(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

export function sortRows<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

export function compiled(doc: unknown): PipelineDocument {
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return document;
}

export async function runToEnd(runner: Runner, doc: unknown, options: RunOptions) {
  const handle = await runner.deploy(compiled(doc), options);
  return handle.done;
}

/** Generated sensor readings (4,000/s) counted per device in 250 ms windows: e1 into the window, e2 out. */
function sensorWindows(seed: number) {
  return {
    format: 'sluice/v1',
    nodes: [
      { id: 'gen', type: 'source.generator', config: { scenario: 'sensors', rate: 4000, seed } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '250ms', keyBy: ['device_id'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'out', type: 'sink.file', config: { path: 'windows.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'gen', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  };
}

export function describeRunnerContract(subject: RunnerUnderTest): void {
  describe(`runner contract: ${subject.name}`, subject.timeoutMs ? { timeout: subject.timeoutMs } : {}, () => {
    const workdir = workdirs();
    for (const batchSize of [1, 7, 1000]) {
      for (const partitions of [1, 4]) {
        it(`windows, lateness and counts do not depend on batching (batch ${batchSize}, ${partitions} partitions)`, async () => {
          const dir = workdir({ 'events.jsonl': jsonl(EVENTS) });
          const runner = await subject.create();
          try {
            const result = await runToEnd(runner, windowDoc(), { baseDir: dir, batchSize, partitions });
            expect(result.status).toBe('completed');
            expect(sortRows(readJsonl(join(dir, 'out.jsonl')))).toEqual(sortRows(EXPECTED_WINDOWS));
            expect(readJsonl(join(dir, 'late.jsonl'))).toEqual([{ ts: 4000, k: 'a', amount: 100 }]);
            const m = result.metrics.nodes;
            expect(m.src).toMatchObject({ out: 9 });
            expect(m.positive).toMatchObject({ in: 9, out: 8, errors: 0 });
            expect(m.win).toMatchObject({ in: 8, out: 5, late: 1 });
            expect(m.out).toMatchObject({ in: 5 });
            expect(result.metrics.edges.e2).toEqual({ events: 8 });
            // The final metrics already hold the batch-time and end-to-end latency histograms.
            expect(m.win!.batchP99Ms).toBeGreaterThan(0);
            expect(result.metrics.sinks.out!.count).toBeGreaterThan(0);
          } finally {
            await runner.close();
          }
        });
      }
    }

    for (const batchSize of [1, 1000]) {
      it(`a window whose late port is not connected gives the same windows and counts (combiner, batch ${batchSize}, 4 partitions)`, async () => {
        // Runners whose exchange serializes send partial rows into the window (docs/combiner.md):
        // the windows above; the late event counted; `in` and the edge count events, not rows.
        const dir = workdir({ 'events.jsonl': jsonl(EVENTS) });
        const doc = windowDoc();
        doc.nodes = doc.nodes.filter((n) => n.id !== 'late');
        doc.edges = doc.edges.filter((e) => e.id !== 'e4');
        const runner = await subject.create();
        try {
          const result = await runToEnd(runner, doc, { baseDir: dir, batchSize, partitions: 4 });
          expect(result.status).toBe('completed');
          expect(sortRows(readJsonl(join(dir, 'out.jsonl')))).toEqual(sortRows(EXPECTED_WINDOWS));
          expect(result.metrics.nodes.win).toMatchObject({ in: 8, out: 5, late: 1, errors: 0 });
          expect(result.metrics.edges.e2).toEqual({ events: 8 });
        } finally {
          await runner.close();
        }
      });
    }

    it('gives, with a source split in 4 (parallelism), exactly the results of one', async () => {
      // 5,000 orders, order_id 1..5000, times 2026-01-01T00:00:00.000 + 0..4999 ms: all in the
      // one 1 h window, n 5000 and total 1 + ... + 5000 = 12,502,500. Split in 4 (blocks of 1,024
      // events dealt round robin) the source gives the same events, each once.
      const dir = workdir({});
      const doc = (parallelism: number) => ({
        format: 'sluice/v1',
        nodes: [
          { id: 'gen', type: 'source.generator', parallelism, config: { scenario: 'orders', count: 5000, seed: 4 } },
          {
            id: 'win',
            type: 'window',
            config: {
              type: 'tumbling',
              size: '1h',
              keyBy: [],
              aggregates: [
                { as: 'n', op: 'count' },
                { as: 'total', op: 'sum', field: 'order_id' },
              ],
            },
          },
          { id: 'out', type: 'sink.file', config: { path: `out-${parallelism}.jsonl` } },
        ],
        edges: [
          { id: 'e1', source: 'gen', target: 'win' },
          { id: 'e2', source: 'win', target: 'out' },
        ],
      });
      const runner = await subject.create();
      try {
        const result = await runToEnd(runner, doc(4), { baseDir: dir });
        expect(result.status, result.error).toBe('completed');
        const rows = readJsonl(join(dir, 'out-4.jsonl'));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ n: 5000, total: 12_502_500 });
        expect(result.metrics.nodes.gen).toMatchObject({ out: 5000 });
        expect(result.metrics.nodes.win).toMatchObject({ in: 5000, out: 1, late: 0 });
      } finally {
        await runner.close();
      }
    });

    it('routes a bad event to the error port, counts it, and keeps going', async () => {
      const dir = workdir({ 'events.jsonl': jsonl([{ x: 1 }, { x: 'oops' }, { x: 3 }]) });
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'src', type: 'source.file', config: { path: 'events.jsonl' } },
          { id: 'double', type: 'map', config: { set: { y: 'x * 2' } } },
          { id: 'ok', type: 'sink.file', config: { path: 'ok.jsonl' } },
          { id: 'bad', type: 'sink.file', config: { path: 'bad.jsonl' } },
        ],
        edges: [
          { id: 'a', source: 'src', target: 'double' },
          { id: 'b', source: 'double', target: 'ok' },
          { id: 'c', source: 'double', sourcePort: 'error', target: 'bad' },
        ],
      };
      const runner = await subject.create();
      try {
        const result = await runToEnd(runner, doc, { baseDir: dir });
        expect(result.status).toBe('completed');
        expect(readJsonl(join(dir, 'ok.jsonl'))).toEqual([
          { x: 1, y: 2 },
          { x: 3, y: 6 },
        ]);
        const bad = readJsonl(join(dir, 'bad.jsonl'));
        expect(bad).toHaveLength(1);
        expect(bad[0]).toMatchObject({ x: 'oops', _error: { node: 'double' } });
        expect(result.metrics.nodes.double).toMatchObject({ in: 3, out: 2, errors: 1 });
      } finally {
        await runner.close();
      }
    });

    it("counts a source's bad records in its `in`: in = out + errors on every node", async () => {
      // 4 lines: 2 good, 1 malformed JSON, 1 without its time field; the map fails 1 of the 2 good.
      const text = '{"ts": 1, "x": 1}\n{"ts": 2, "x": \n{"x": 3}\n{"ts": 4, "x": "oops"}\n';
      const dir = workdir({ 'events.jsonl': text });
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'src', type: 'source.file', config: { path: 'events.jsonl', timeField: 'ts' } },
          { id: 'double', type: 'map', config: { set: { y: 'x * 2' } } },
          { id: 'ok', type: 'sink.file', config: { path: 'ok.jsonl' } },
          { id: 'bad', type: 'sink.file', config: { path: 'bad.jsonl' } },
        ],
        edges: [
          { id: 'a', source: 'src', target: 'double' },
          { id: 'b', source: 'double', target: 'ok' },
          { id: 'c', source: 'src', sourcePort: 'error', target: 'bad' },
          { id: 'd', source: 'double', sourcePort: 'error', target: 'bad' },
        ],
      };
      const runner = await subject.create();
      try {
        const result = await runToEnd(runner, doc, { baseDir: dir });
        expect(result.status).toBe('completed');
        const m = result.metrics.nodes;
        expect(m.src).toMatchObject({ in: 4, out: 2, errors: 2 });
        expect(m.double).toMatchObject({ in: 2, out: 1, errors: 1 });
        expect(m.bad).toMatchObject({ in: 3 });
        expect(readJsonl(join(dir, 'bad.jsonl'))).toHaveLength(3);
      } finally {
        await runner.close();
      }
    });

    it("sends a record nested 100,000 deep to its source's error port and completes", async () => {
      // JSON.parse reads it; JSON.stringify in a sink (or BullMQ's serialization) would overflow the stack.
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const dir = workdir({ 'events.jsonl': `{"id": 1}\n{"id": 2, "d": ${deep}}\n{"id": 3, "d": [[1]]}\n` });
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'src', type: 'source.file', config: { path: 'events.jsonl' } },
          { id: 'ok', type: 'sink.file', config: { path: 'ok.jsonl' } },
          { id: 'bad', type: 'sink.file', config: { path: 'bad.jsonl' } },
        ],
        edges: [
          { id: 'a', source: 'src', target: 'ok' },
          { id: 'b', source: 'src', sourcePort: 'error', target: 'bad' },
        ],
      };
      const runner = await subject.create();
      try {
        const result = await runToEnd(runner, doc, { baseDir: dir });
        expect(result.status).toBe('completed');
        expect(result.metrics.nodes.src).toMatchObject({ in: 3, out: 2, errors: 1 });
        expect(readJsonl(join(dir, 'ok.jsonl'))).toEqual([{ id: 1 }, { id: 3, d: [[1]] }]);
        expect(readJsonl(join(dir, 'bad.jsonl'))).toEqual([
          {
            id: 2,
            d: null,
            _error: {
              node: 'src',
              code: 'event-too-deep',
              message: '"d" nested deeper than 64 levels, the limit for an event (left out here)',
            },
          },
        ]);
      } finally {
        await runner.close();
      }
    });

    it('writes the output of a live pipeline as it goes, not only at stop', async () => {
      const dir = workdir({});
      // 50 events/s: the file sink's buffer (256 KiB) would take minutes to fill by itself.
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 50, seed: 1 } },
          { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
        ],
        edges: [{ id: 'e', source: 'gen', target: 'out' }],
      };
      const runner = await subject.create();
      try {
        const handle = await runner.deploy(compiled(doc), { baseDir: dir });
        await waitFor(() => fileLines(join(dir, 'orders.jsonl')) >= 10);
        expect(handle.status()).toBe('running');
        await handle.stop();
      } finally {
        await runner.close();
      }
    });

    it('stops an unbounded pipeline on request, with sinks flushed', async () => {
      const dir = workdir({});
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 2000, seed: 1 } },
          { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
        ],
        edges: [{ id: 'e', source: 'gen', target: 'out' }],
      };
      const runner = await subject.create();
      try {
        const handle = await runner.deploy(compiled(doc), { baseDir: dir });
        await waitFor(() => handle.metrics().nodes.out!.in >= 100);
        const result = await handle.stop();
        expect(result.status).toBe('stopped');
        expect(readJsonl(join(dir, 'orders.jsonl')).length).toBe(result.metrics.nodes.out!.in);
      } finally {
        await runner.close();
      }
    });

    it('lets a tap see the events crossing an edge', async () => {
      const dir = workdir({});
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'gen', type: 'source.generator', config: { scenario: 'sensors', rate: 1000, seed: 7 } },
          { id: 'hot', type: 'filter', config: { expression: 'temperature > -1000' } },
          { id: 'out', type: 'sink.file', config: { path: 'sensors.jsonl' } },
        ],
        edges: [
          { id: 'e1', source: 'gen', target: 'hot' },
          { id: 'e2', source: 'hot', target: 'out' },
        ],
      };
      const runner = await subject.create();
      try {
        const handle = await runner.deploy(compiled(doc), { baseDir: dir });
        const seen: unknown[] = [];
        const off = handle.tap('e2', (events) => seen.push(...events));
        await waitFor(() => seen.length >= 10);
        off();
        await handle.stop();
        expect(seen[0]).toHaveProperty('device_id');
      } finally {
        await runner.close();
      }
    });

    it('lets a tap on the edge into a combining window see events, not partial rows', async () => {
      const dir = workdir({});
      const runner = await subject.create();
      try {
        const handle = await runner.deploy(compiled(sensorWindows(5)), { baseDir: dir, partitions: 2 });
        const seen: Record<string, unknown>[] = [];
        const off = handle.tap('e1', (events) => seen.push(...(events as Record<string, unknown>[])));
        expect(await waitForAsync(() => seen.length >= 10, 90_000)).toBe(true);
        off();
        await handle.stop();
        expect(seen.every((e) => typeof e.device_id === 'string' && typeof e.temperature === 'number' && !('\u0001n' in e))).toBe(true);
      } finally {
        await runner.close();
      }
    }, 120_000);

    it('lets a tap see the events on an edge after a keyed stage', async () => {
      const dir = workdir({});
      const runner = await subject.create();
      try {
        const handle = await runner.deploy(compiled(sensorWindows(3)), { baseDir: dir });
        const seen: Record<string, unknown>[] = [];
        const off = handle.tap('e2', (events) => seen.push(...(events as Record<string, unknown>[])));
        // Worker processes load TypeScript first: on a loaded 2-core machine that takes a while.
        expect(await waitForAsync(() => seen.length >= 3, 90_000)).toBe(true);
        off();
        await handle.stop();
        expect(seen[0]).toHaveProperty('window_end');
        expect(seen[0]).toHaveProperty('n');
      } finally {
        await runner.close();
      }
    }, 120_000);
  });
}

export async function waitForAsync(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const start = Date.now();
  while (!cond() && Date.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

function fileLines(path: string): number {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
  } catch {
    return 0; // not created yet
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
