/**
 * Data rules (share_above, count_above): the window counter by hand, then a real embedded run
 * whose edge is counted through a tap while the evaluator's clock is driven by the test, with
 * the transitions written by a file sink target (its lines compared with hand-computed ones).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetGuard } from '@sluice/nodes/http-client';
import type { SourceOperator } from '@sluice/nodes/sdk';
import { type AlertRule, type Event, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../api/test-support.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { FileStore } from '../store/file-store.js';
import { measure } from './alert-conditions.js';
import { AlertEvaluator } from './alert-evaluator.js';
import { WindowCounter } from './alert-window-counter.js';

const ev = (event_type: string, n = 1): Event[] => Array.from({ length: n }, () => ({ event_type }));

describe('window counter, by hand', () => {
  it('counts matching and total per 1 s bucket over the last 10 s, dropping what left the window', () => {
    let t = 0;
    const c = new WindowCounter('event_type == "purchase"', {}, 10_000, () => t);
    expect(c.bucketMs).toBe(1000);
    t = 500;
    c.observe([...ev('purchase', 3), ...ev('view', 7)]);
    t = 4_200;
    c.observe([...ev('purchase', 1), ...ev('view', 1)]);
    expect(c.read()).toEqual({ matching: 4, total: 12, failed: 0 });
    // At 9.9 s the buckets from 0 s on count (current bucket 9 s and the 9 before it).
    t = 9_900;
    expect(c.read()).toEqual({ matching: 4, total: 12, failed: 0 });
    // At 10.0 s the bucket of 0 s has left: only the 4 s batch remains.
    t = 10_000;
    expect(c.read()).toEqual({ matching: 1, total: 2, failed: 0 });
    // 14.0 s: the 4 s bucket has left too. The ring slot of 4 s is reused at 15 s.
    t = 14_000;
    expect(c.read()).toEqual({ matching: 0, total: 0, failed: 0 });
    t = 15_000;
    c.observe(ev('purchase', 2));
    expect(c.read()).toEqual({ matching: 2, total: 2, failed: 0 });
  });

  it('a long window gets window/300 buckets; an event whose where fails counts apart', () => {
    const t = 0;
    const c = new WindowCounter('amount > 10', {}, 3_600_000, () => t);
    expect(c.bucketMs).toBe(12_000);
    // "12" is text: comparing it with a number is a type error on that event, not a match.
    c.observe([{ amount: 11 }, { amount: 9 }, { amount: '12' }, { amount: 30 }]);
    expect(c.read()).toEqual({ matching: 2, total: 4, failed: 1 });
  });

  it('share_above and count_above measure the counts; a share of no events is no value', () => {
    const share: AlertRule = { id: 's', edge: 'e1', when: 'share_above', where: 'x', value: 0.05 };
    const count: AlertRule = { id: 'c', edge: 'e1', when: 'count_above', where: 'x', value: 3 };
    const samples = [{ at: 0, metrics: {} as never }];
    expect(measure(share, samples, { matching: 14, total: 150, failed: 0 })).toEqual({ value: 14 / 150, holds: true });
    expect(measure(share, samples, { matching: 5, total: 100, failed: 0 })).toEqual({ value: 0.05, holds: false });
    expect(measure(share, samples, { matching: 0, total: 0, failed: 0 })).toBeUndefined();
    expect(measure(count, samples, { matching: 3, total: 3, failed: 0 })).toEqual({ value: 3, holds: false });
    expect(measure(count, samples, { matching: 4, total: 9, failed: 0 })).toEqual({ value: 4, holds: true });
  });
});

describe('a share_above rule on an embedded run, notified to a file sink', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-alert-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('pending, firing and resolved as the share of purchases crosses 5 % over 5 min', async () => {
    const rule: AlertRule = {
      id: 'buyers',
      name: 'Too many purchases',
      edge: 'e1',
      when: 'share_above',
      where: 'event_type == "purchase"',
      value: 0.05,
      window: '5m',
      for: '10s',
      notify: ['log'],
    };
    const doc = {
      format: 'sluice/v1',
      id: 'ads',
      nodes: [
        { id: 'src', type: 'source.generator', config: { scenario: 'ad-events', rate: 1 } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [{ id: 'e1', source: 'src', target: 'out' }],
      alerts: {
        rules: [rule],
        targets: [{ id: 'log', type: 'sink', sink: { type: 'sink.file', config: { path: 'alerts/out.jsonl' } } }],
      },
    };
    const valid = validateDocument(doc, nodeDefinitions);
    expect(valid.diagnostics).toEqual([]);
    const store = new FileStore({ dataDir });
    await store.put('ads', valid.document!, { author: 'test', action: 'create', baseDir: dataDir });

    // The source sends what the test queues, nothing else.
    const queue: Event[][] = [];
    const source: SourceOperator = {
      poll: () => ({ events: queue.shift() ?? [], watermark: 0, done: false }),
    };
    const runner = new EmbeddedRunner({ threads: false });
    const handle = await runner.deploy(valid.document!, {
      baseDir: dataDir,
      pipelineId: 'ads',
      consoleWriter: () => undefined,
      sourceOverrides: { src: () => source },
    });
    let t = 0;
    const logs: string[] = [];
    const evaluator = new AlertEvaluator({
      runs: () => new Map([['ads', handle]]),
      store,
      now: () => t * 1000,
      notifier: { guard: targetGuard(), secret: () => '', log: (l) => logs.push(l) },
    });
    const crossed = () => handle.metrics().edges.e1?.events ?? 0;
    const send = async (events: Event[]) => {
      const before = crossed();
      queue.push(events);
      await waitFor(() => crossed() >= before + events.length, 60_000);
    };
    const state = async () => (await evaluator.view('ads'))[0]!;
    try {
      await evaluator.tick(); // t = 0: the tap is on before anything flows.
      await send([...ev('purchase', 4), ...ev('view', 96)]);
      t = 1;
      await evaluator.tick();
      expect(await state()).toMatchObject({ state: 'ok', value: 0.04 });
      t = 2;
      await send([...ev('purchase', 10), ...ev('click', 40)]);
      await evaluator.tick(); // 14 of 150
      expect(await state()).toMatchObject({ state: 'pending', since: 2000, value: 14 / 150 });
      t = 12;
      await evaluator.tick();
      expect(await state()).toMatchObject({ state: 'firing', since: 2000 });
      t = 100;
      await send(ev('view', 100));
      await evaluator.tick(); // 14 of 250
      expect(await state()).toMatchObject({ state: 'firing', value: 0.056 });
      t = 250;
      await send(ev('view', 200));
      await evaluator.tick(); // 14 of 450
      expect(await state()).toMatchObject({ state: 'ok', value: 14 / 450 });
    } finally {
      await evaluator.stop();
      await handle.stop();
      await runner.close();
    }
    const lines = readFileSync(join(dataDir, 'alerts/out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const condition = 'share of events on edge e1 with event_type == "purchase" above 0.05 over 5m';
    const common = { pipeline: 'ads', rule: 'buyers', name: 'Too many purchases', condition, threshold: 0.05, since: 2000 };
    expect(lines).toEqual([
      { ...common, state: 'firing', value: 14 / 150, at: 12_000 },
      { ...common, state: 'resolved', value: 14 / 450, at: 250_000 },
    ]);
    expect(logs.filter((l) => l.includes('not written'))).toEqual([]);
  });
});

describe('data rules: validation', () => {
  const base = {
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.generator', config: { scenario: 'ad-events', rate: 1 } },
      { id: 'out', type: 'sink.console', config: {} },
    ],
    edges: [{ id: 'e1', source: 'src', target: 'out' }],
  };
  const problems = (alerts: unknown) =>
    validateDocument({ ...base, alerts }, nodeDefinitions)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.path}: ${d.message}`);

  it('checks where against the edge schema, as a filter expression, and the window and the node', () => {
    expect(
      problems({
        rules: [
          { id: 'a', edge: 'e1', when: 'share_above', where: 'status == "failed"', value: 0.05 },
          { id: 'b', edge: 'e1', when: 'count_above', where: 'event_type', value: 3 },
          { id: 'c', node: 'src', when: 'count_above', where: 'event_type == "x"', value: 3, window: '2h' },
          { id: 'd', edge: 'e1', when: 'share_above', value: 1.5 },
          { id: 'e', edge: 'e1', when: 'rate_below', value: 1, where: 'true' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^alerts\.rules\[0\]\.where: where: .*status/),
      'alerts.rules[1].where: where: must give true or false, but gives a string',
      'alerts.rules[2]: count_above counts the events crossing an edge: set edge, not node',
      'alerts.rules[2].window: window is from 10s to 1h',
      'alerts.rules[3].where: share_above needs where: the expression an event must make true to count, e.g. status == "failed"',
      'alerts.rules[3].value: a share is between 0 and 1 (1.5 given)',
      'alerts.rules[4]: where and window belong to share_above and count_above, not rate_below',
    ]);
  });

  it('checks a sink target as a node of its type', () => {
    expect(
      problems({
        rules: [],
        targets: [
          { id: 'a', type: 'sink', sink: { type: 'sink.nope', config: {} } },
          { id: 'b', type: 'sink', sink: { type: 'filter', config: {} } },
          { id: 'c', type: 'sink', sink: { type: 'sink.file', config: {} } },
        ],
      }),
    ).toEqual([
      'alerts.targets[0].sink.type: "sink.nope" is not a node type',
      'alerts.targets[1].sink.type: filter is a transform, not a sink',
      expect.stringMatching(/^alerts\.targets\[2\]\.sink\.config\.path: /),
    ]);
  });
});
