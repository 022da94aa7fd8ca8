/**
 * The stream debugger on the embedded engine (docs/debugger.md): breakpoints with conditions,
 * step / step-batch / continue ordering, window panes at a pause (hand-computed), and the same
 * outputs as a plain preview run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { runOnEvents } from '../preview/run-on-events.js';
import type { DebugPause } from './debug-protocol.js';
import type { SessionMessage } from './debug-session.js';
import { DebugSessions } from './debug-sessions.js';
import { prepareSession } from './prepare-session.js';

const sessions = new DebugSessions();
afterEach(() => sessions.close());

const timed = (list: Record<string, unknown>[]): RecordedEvent[] => list.map((e) => ({ e, t: e.ts as number }));

function windowDoc(window: Record<string, unknown>) {
  return {
    format: 'sluice/v1',
    id: 'dbg',
    nodes: [
      { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
      {
        id: 'w',
        type: 'window',
        config: {
          keyBy: ['sku'],
          aggregates: [
            { as: 'orders', op: 'count' },
            { as: 'units', op: 'sum', field: 'quantity' },
          ],
          ...window,
        },
      },
      { id: 'out', type: 'sink.console', config: {} },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'w' },
      { id: 'e2', source: 'w', target: 'out' },
    ],
  };
}

async function open(document: unknown, events: RecordedEvent[], breakpoints: unknown, batchSize?: number) {
  return sessions.create(
    prepareSession({ pipelineId: 'dbg', document, events: { in: events }, baseDir: '.', breakpoints, ...(batchSize ? { batchSize } : {}) }),
  );
}

const paused = (m: SessionMessage): DebugPause => {
  if (m.event !== 'paused') throw new Error(`expected a pause, got the end: ${JSON.stringify(m.data)}`);
  return m.data;
};

const stageOf = (p: DebugPause, node: string) => p.watermarks.find((s) => s.nodes.includes(node))!.watermark;

const orders = timed([
  { sku: 'A', quantity: 2, ts: 1000 },
  { sku: 'B', quantity: 5, ts: 2000 },
  { sku: 'A', quantity: 4, ts: 30_000 },
  { sku: 'A', quantity: 1, ts: 61_000 },
  { sku: 'A', quantity: 3, ts: 62_000 },
]);

describe('stream debugger: window panes at a breakpoint', () => {
  it('tumbling: the open panes of the key, with partial aggregates, before the paused event is taken', async () => {
    const s = await open(windowDoc({ type: 'tumbling', size: '1m' }), orders, [
      { id: 'bigA', edge: 'e1', condition: 'sku == "A" && quantity > 2' },
    ]);
    // Events 1 and 2 do not match: the first hit is A x4 at 30 s; A's pane [0, 60 s) holds A x2.
    const first = paused(await s.command('run-to-hit'));
    expect(first.reason).toBe('breakpoint');
    expect(first.breakpoint).toBe('bigA');
    expect(first.event).toEqual({ sku: 'A', quantity: 4, ts: 30_000 });
    expect(first.eventTime).toBe(30_000);
    // The watermark after event 2 (2 s; in order, so no slack) at the source and at the window.
    expect(stageOf(first, 'in')).toBe(2000);
    expect(stageOf(first, 'w')).toBe(2000);
    expect(first.state).toEqual({
      node: 'w',
      type: 'window',
      keyBy: ['sku'],
      key: { sku: 'A' },
      panes: [{ start: 0, end: 60_000, count: 1, aggregates: { orders: 1, units: 2 } }],
    });
    // Next hit: A x3 at 62 s. A x1 at 61 s moved the watermark to 61 s: [0, 60 s) was emitted.
    const second = paused(await s.command('run-to-hit'));
    expect(second.event).toEqual({ sku: 'A', quantity: 3, ts: 62_000 });
    expect(stageOf(second, 'w')).toBe(61_000);
    expect(second.state).toMatchObject({ panes: [{ start: 60_000, end: 120_000, count: 1, aggregates: { orders: 1, units: 1 } }] });
    expect(second.hits.bigA).toEqual({ hits: 2, conditionErrors: 0 });
    expect(second.progress.sourceEvents).toBe(5);
    // No more hits: the run ends, with what a plain run gives.
    const end = await s.command('run-to-hit');
    expect(end.event).toBe('ended');
    if (end.event !== 'ended') return;
    expect(end.data.status).toBe('completed');
    expect(end.data.outputs.out!.events).toEqual([
      { sku: 'A', window_start: 0, window_end: 60_000, orders: 2, units: 6 },
      { sku: 'B', window_start: 0, window_end: 60_000, orders: 1, units: 5 },
      { sku: 'A', window_start: 60_000, window_end: 120_000, orders: 2, units: 4 },
    ]);
  });

  it('sliding: every pane holding the key, each with its own partial aggregates', async () => {
    // 1 min windows every 30 s. Before A x4 at 30 s: A x2 at 1 s is in [-30 s, 30 s) and [0, 60 s).
    // A x4 at 30 s itself has not been taken yet (the pause is before the window).
    const s = await open(windowDoc({ type: 'sliding', size: '1m', slide: '30s' }), orders, [{ edge: 'e1', condition: 'quantity == 4' }]);
    const p = paused(await s.command('run-to-hit'));
    expect(p.breakpoint).toBe('bp1');
    expect(p.state).toMatchObject({
      key: { sku: 'A' },
      panes: [
        { start: -30_000, end: 30_000, count: 1, aggregates: { orders: 1, units: 2 } },
        { start: 0, end: 60_000, count: 1, aggregates: { orders: 1, units: 2 } },
      ],
    });
    // One step: A x4 crosses into the window, and the next event (A x1 at 61 s) pauses on e1;
    // the watermark (30 s) has emitted [-30 s, 30 s) for A and B, so A's panes are
    // [0, 60 s) with 2 events (6 units) and [30 s, 90 s) with A x4.
    const q = paused(await s.command('step'));
    expect(q.edge.id).toBe('e2');
    expect(q.event).toMatchObject({ sku: 'A', window_start: -30_000, window_end: 30_000, orders: 1, units: 2 });
    const r = paused(await s.command('step'));
    expect(r.edge.id).toBe('e2');
    expect(r.event).toMatchObject({ sku: 'B', window_start: -30_000, window_end: 30_000 });
    const t = paused(await s.command('step'));
    expect(t.edge.id).toBe('e1');
    expect(t.event).toEqual({ sku: 'A', quantity: 1, ts: 61_000 });
    expect(stageOf(t, 'w')).toBe(30_000);
    expect(t.state).toMatchObject({
      panes: [
        { start: 0, end: 60_000, count: 2, aggregates: { orders: 2, units: 6 } },
        { start: 30_000, end: 90_000, count: 1, aggregates: { orders: 1, units: 4 } },
      ],
    });
  });

  it('session: the open session of the key, grown by every event within the gap', async () => {
    const events = timed([
      { sku: 'A', quantity: 1, ts: 1000 },
      { sku: 'A', quantity: 2, ts: 5000 },
      { sku: 'B', quantity: 7, ts: 6000 },
      { sku: 'A', quantity: 3, ts: 12_000 },
      { sku: 'A', quantity: 4, ts: 40_000 },
    ]);
    const s = await open(windowDoc({ type: 'session', gap: '10s' }), events, [{ id: 'a', edge: 'e1', condition: 'sku == "A"' }]);
    // Hits 1, 2 and 3 are A at 1 s, 5 s, 12 s: at the third, A's session is [1 s, 15 s) with 1 + 2.
    for (let i = 0; i < 2; i++) await s.command('run-to-hit');
    const third = paused(await s.command('run-to-hit'));
    expect(third.event).toMatchObject({ ts: 12_000 });
    expect(third.state).toMatchObject({ panes: [{ start: 1000, end: 15_000, count: 2, aggregates: { orders: 2, units: 3 } }] });
    // The fourth (40 s): the watermark is 12 s, A's session [1 s, 22 s) holds 3 events (6 units).
    const fourth = paused(await s.command('run-to-hit'));
    expect(fourth.event).toMatchObject({ ts: 40_000 });
    expect(stageOf(fourth, 'w')).toBe(12_000);
    expect(fourth.state).toMatchObject({ panes: [{ start: 1000, end: 22_000, count: 3, aggregates: { orders: 3, units: 6 } }] });
  });
});

describe('stream debugger: stepping', () => {
  const filterDoc = {
    format: 'sluice/v1',
    id: 'steps',
    nodes: [
      { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
      { id: 'f', type: 'filter', config: { expression: 'quantity > 1' } },
      { id: 'out', type: 'sink.console', config: {} },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'f' },
      { id: 'e2', source: 'f', target: 'out' },
    ],
  };
  const three = timed([
    { n: 1, quantity: 5, ts: 1 },
    { n: 2, quantity: 1, ts: 2 },
    { n: 3, quantity: 3, ts: 3 },
    { n: 4, quantity: 4, ts: 4 },
  ]);
  const where = (p: DebugPause) => `${p.edge.id}:${p.event.n}`;

  it('step goes edge by edge, event by event; a filtered-out event never reaches e2', async () => {
    const s = await open(filterDoc, three, []);
    const seen: string[] = [];
    for (let m = await s.command('step'); m.event === 'paused'; m = await s.command('step')) seen.push(where(m.data));
    expect(seen).toEqual(['e1:1', 'e2:1', 'e1:2', 'e1:3', 'e2:3', 'e1:4', 'e2:4']);
  });

  it('step-batch goes from source batch to source batch; step walks inside one', async () => {
    const s = await open(filterDoc, three, [], 2);
    const a = paused(await s.command('step-batch'));
    expect([where(a), a.index, a.batchSize]).toEqual(['e1:1', 0, 2]);
    // Inside the batch: the second event on e1, then the batch's survivors on e2.
    const b = paused(await s.command('step'));
    expect([where(b), b.index]).toEqual(['e1:2', 1]);
    const c = paused(await s.command('step'));
    expect([where(c), c.index, c.batchSize]).toEqual(['e2:1', 0, 1]);
    const d = paused(await s.command('step-batch'));
    expect([where(d), d.index, d.progress.sourceBatches]).toEqual(['e1:3', 0, 2]);
    const end = await s.command('continue');
    expect(end.event).toBe('ended');
  });

  it('continue runs to the end past every breakpoint; a condition skips what does not match', async () => {
    const s = await open(filterDoc, three, [{ id: 'odd', edge: 'e2', condition: 'n % 2 == 1' }]);
    const hit = paused(await s.command('run-to-hit'));
    expect(where(hit)).toBe('e2:1');
    const next = paused(await s.command('run-to-hit'));
    // n=4 crosses e2 too, but 4 is even: the next hit after 1 is 3.
    expect(where(next)).toBe('e2:3');
    const end = await s.command('continue');
    if (end.event !== 'ended') throw new Error('expected the end');
    expect(end.data.hits.odd).toEqual({ hits: 2, conditionErrors: 0 });
    expect(end.data.outputs.out!.events.map((e) => e.n)).toEqual([1, 3, 4]);
  });

  it("no event lost or duplicated: stepping every crossing gives a plain preview run's outputs", async () => {
    const document = windowDoc({ type: 'sliding', size: '1m', slide: '20s' });
    const many = timed(
      Array.from({ length: 40 }, (_, i) => ({ sku: ['A', 'B', 'C'][i % 3], quantity: (i * 7) % 5, ts: 1000 + i * 4_500 - (i % 4) * 1000 })),
    );
    const input = prepareSession({ pipelineId: 'dbg', document, events: { in: many }, baseDir: '.', breakpoints: [] });
    const plain = await runOnEvents(input.document, input.params, input.events, '.');
    const s = await sessions.create(input);
    let crossings = 0;
    let m = await s.command('step');
    for (; m.event === 'paused'; m = await s.command('step')) crossings++;
    if (m.event !== 'ended') throw new Error('expected the end');
    // As JSON: the end's events travel without their symbol stamps.
    const outputs = JSON.parse(JSON.stringify(plain.outputs.out));
    expect(m.data.outputs.out!.events).toEqual(outputs);
    // Every source event crossed e1 once, every window result e2 once: one pause each.
    expect(crossings).toBe(40 + outputs.length);
    expect(m.data.progress).toEqual({ sourceBatches: 40, sourceEvents: 40, crossings });
  });
});

describe('stream debugger: a rules node', () => {
  const rows = [
    // biome-ignore lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then`
    { when: { qty: { op: '>', value: 10 } }, then: { tier: 'bulk' } },
    // biome-ignore lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then`
    { when: { qty: { op: '>', value: 3 } }, then: { tier: 'large' } },
  ];
  it('shows the row the paused event matches, and what it would write', async () => {
    const document = {
      format: 'sluice/v1',
      id: 'rules',
      nodes: [
        { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
        {
          id: 'r',
          type: 'rules',
          config: {
            inputs: [{ id: 'qty', expression: 'quantity' }],
            outputs: [{ id: 'tier' }],
            rows,
            default: { tier: 'small' },
          },
        },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'r' },
        { id: 'e2', source: 'r', target: 'out' },
      ],
    };
    const s = await open(
      document,
      timed([
        { quantity: 2, ts: 1 },
        { quantity: 5, ts: 2 },
      ]),
      [],
    );
    // 2 matches no row: the default; 5 is not > 10 but is > 3: row 2.
    expect(paused(await s.command('step')).state).toEqual({
      node: 'r',
      type: 'rules',
      row: 0,
      rowConfig: null,
      outputs: { tier: 'small' },
    });
    await s.command('step');
    expect(paused(await s.command('step')).state).toEqual({
      node: 'r',
      type: 'rules',
      row: 2,
      rowConfig: rows[1],
      outputs: { tier: 'large' },
    });
  });
});

describe('stream debugger: checks and limits', () => {
  const doc = windowDoc({ type: 'tumbling', size: '1m' });
  it('a bad breakpoint is refused, naming it and the problem', () => {
    const prep = (breakpoints: unknown) => () =>
      prepareSession({ pipelineId: 'd', document: doc, events: { in: orders }, baseDir: '.', breakpoints });
    expect(prep([{ id: 'x', edge: 'nope' }])).toThrow('breakpoint "x": the document has no edge "nope"');
    expect(prep([{ id: 'y', edge: 'e1', condition: 'sku == ' }])).toThrow(/^breakpoint "y" on edge "e1": condition: .*column/);
    expect(prep([{ edge: 'e1', condition: 'params.nope > 1' }])).toThrow(/breakpoint "bp1" on edge "e1": condition: .*nope/);
  });

  it('caps sessions and events; an idle session is freed', async () => {
    const small = new DebugSessions({ maxSessions: 1, maxEvents: 5, idleMs: 50 });
    try {
      const input = prepareSession({ pipelineId: 'd', document: doc, events: { in: orders }, baseDir: '.', breakpoints: [] });
      const first = await small.create(input);
      await expect(small.create(input)).rejects.toThrow('1 debug sessions are open');
      await expect(small.create({ ...input, events: { in: [...orders, ...orders] } })).rejects.toThrow(
        'the sources have 10 events, more than the 5 a debug session runs on',
      );
      const ended = new Promise<SessionMessage>((resolve) => first.subscribe(resolve));
      expect(await ended).toMatchObject({ event: 'ended', data: { reason: 'expired' } });
      expect(small.size).toBe(0);
    } finally {
      await small.close();
    }
  });
});
