/**
 * A sink node of the graph as a notification target: validation (the node exists, is a sink,
 * is not a file sink whose file its run owns), then a real embedded run whose count_above rule
 * fires and resolves, each transition written through the graph's sink.redis-stream node (its
 * URL an `${env:...}` reference resolved as the run resolves it) and read back from the stream.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetGuard } from '@sluice/nodes/http-client';
import type { SourceOperator } from '@sluice/nodes/sdk';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { type Event, validateDocument } from '@sluice/shared';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../api/test-support.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { FileStore } from '../store/file-store.js';
import { AlertEvaluator } from './alert-evaluator.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ev = (event_type: string, n: number): Event[] => Array.from({ length: n }, () => ({ event_type }));

const graph = (stream: string) => ({
  format: 'sluice/v1',
  id: 'orders',
  nodes: [
    { id: 'src', type: 'source.generator', config: { scenario: 'ad-events', rate: 1 } },
    { id: 'ok', type: 'filter', config: { expression: 'event_type != "purchase"' } },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a document's env reference, resolved by the engine
    { id: 'out', type: 'sink.redis-stream', config: { url: '${env:SLUICE_TEST_ALERT_STREAM_URL}', stream } },
    { id: 'file', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'ok' },
    { id: 'e2', source: 'ok', target: 'out' },
    { id: 'e3', source: 'src', target: 'file' },
  ],
});

describe('a sink node as alert target: validation', () => {
  const problems = (targets: unknown[]) =>
    validateDocument({ ...graph('s'), alerts: { rules: [], targets } }, nodeDefinitions)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.path}: ${d.message}`);

  it('names the target and its node field when the node is missing, not a sink, or a file sink', () => {
    expect(
      problems([
        { id: 'a', type: 'node', node: 'nope' },
        { id: 'b', type: 'node', node: 'ok' },
        { id: 'c', type: 'node', node: 'file' },
        { id: 'd', type: 'node', node: 'out' },
      ]),
    ).toEqual([
      'alerts.targets[0].node: target a: "nope" is not a node of this document',
      'alerts.targets[1].node: target b: node ok is a transform, not a sink',
      'alerts.targets[2].node: target c: node file is a sink.file, whose file belongs to its run (it commits its offsets and cuts the file to them): use a sink target with a path of its own',
    ]);
  });

  it('a node target without its node is refused by the schema, naming the field', () => {
    const d = validateDocument({ ...graph('s'), alerts: { rules: [], targets: [{ id: 'a', type: 'node' }] } }, nodeDefinitions);
    expect(d.diagnostics.filter((x) => x.severity === 'error').map((x) => x.path)).toEqual(['alerts.targets[0].node']);
  });
});

describe('a sink node as alert target on an embedded run', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-alert-node-'));
  const stream = `${TEST_KEY_ROOT}-alert-node-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    await redis.del(stream);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env.SLUICE_TEST_ALERT_STREAM_URL;
  });

  it('writes firing and resolved through the node connector, into the stream the run writes', async () => {
    process.env.SLUICE_TEST_ALERT_STREAM_URL = REDIS_URL;
    const doc = {
      ...graph(stream),
      alerts: {
        rules: [
          {
            id: 'buyers',
            edge: 'e1',
            when: 'count_above',
            where: 'event_type == "purchase"',
            value: 2,
            window: '1m',
            for: '10s',
            notify: ['stream'],
          },
        ],
        targets: [{ id: 'stream', type: 'node', node: 'out' }],
      },
    };
    const valid = validateDocument(doc, nodeDefinitions);
    expect(valid.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const store = new FileStore({ dataDir });
    await store.put('orders', valid.document!, { author: 'test', action: 'create', baseDir: dataDir });
    const queue: Event[][] = [];
    const source: SourceOperator = { poll: () => ({ events: queue.shift() ?? [], watermark: 0, done: false }) };
    const runner = new EmbeddedRunner({ threads: false });
    const handle = await runner.deploy(valid.document!, { baseDir: dataDir, pipelineId: 'orders', sourceOverrides: { src: () => source } });
    let t = 0;
    const logs: string[] = [];
    const evaluator = new AlertEvaluator({
      runs: () => new Map([['orders', handle]]),
      store,
      now: () => t * 1000,
      notifier: { guard: targetGuard(), secret: () => '', log: (l) => logs.push(l) },
    });
    const send = async (events: Event[]) => {
      const before = handle.metrics().edges.e1?.events ?? 0;
      queue.push(events);
      await waitFor(() => (handle.metrics().edges.e1?.events ?? 0) >= before + events.length, 60_000);
    };
    const entries = async () =>
      (await redis.xrange(stream, '-', '+')).map(([, fields]) => JSON.parse(fields[1]!) as Record<string, unknown>);
    try {
      await evaluator.tick(); // t = 0: the tap is on before anything flows
      await send([...ev('purchase', 3), ...ev('view', 5)]);
      t = 1;
      await evaluator.tick(); // 3 purchases > 2: pending since 1 s
      expect((await evaluator.view('orders'))[0]).toMatchObject({ state: 'pending', since: 1000, value: 3 });
      t = 11;
      await evaluator.tick(); // held 10 s: firing
      t = 70;
      await evaluator.tick(); // the 1 s bucket left the 1 min window at 61 s: 0 purchases, resolved
      expect((await evaluator.view('orders'))[0]).toMatchObject({ state: 'ok', value: 0 });
      // The run wrote its 5 views; the evaluator's own instance of the node wrote two notifications.
      await waitFor(async () => (await entries()).length === 7, 30_000);
    } finally {
      await evaluator.stop();
      await handle.stop();
      await runner.close();
    }
    const all = await entries();
    expect(all.filter((e) => e.event_type === 'view')).toHaveLength(5);
    const common = {
      pipeline: 'orders',
      rule: 'buyers',
      name: 'buyers',
      condition: 'events on edge e1 with event_type == "purchase" more than 2 over 1m',
      threshold: 2,
      since: 1000,
    };
    expect(all.filter((e) => e.rule !== undefined)).toEqual([
      { ...common, state: 'firing', value: 3, at: 11_000 },
      { ...common, state: 'resolved', value: 0, at: 70_000 },
    ]);
    expect(logs.filter((l) => l.includes('not written'))).toEqual([]);
  });
});
