/**
 * Hot redeploy, the same cases on every runner (embedded here, BullMQ in test/distributed):
 * a paced, bounded generator feeds a tumbling count window keyed by order parity; a map after
 * the window tags each window with a version. A deploy mid-run changes the map, a param, or the
 * window's size, and the outputs over the whole run are checked against hand-computed counts.
 *
 * Hand computation: `orders` events have order_id = seq + 1 and, with rate 1000/s and
 * startTime 0, event time ts = seq ms. N events (2000 by default) fill the 100 ms windows
 * [0,100) ... [N-100,N): each holds order_ids 100k+1 ... 100k+100, i.e. 50 odd and 50 even. So a
 * run without loss or duplicates emits exactly N/100 windows x 2 parities, each with n = 50.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { join } from 'node:path';
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../runners/runner.js';
import { readJsonl, waitFor } from '../runners/runner.contract.js';
import { IngestHub } from '../runtime/ingest-hub.js';
import { FileStore } from '../store/file-store.js';
import { DeploymentManager, type RedeployReport } from './deployment-manager.js';

export interface HotRedeploySubject {
  name: string;
  /** A runner (with its workers); `close` releases everything. */
  create(): Promise<Runner>;
  /** Events in a run, a multiple of 200 (default 2000: 2 s): long enough to redeploy mid-run. */
  events?: number;
}

interface Variant {
  size?: string;
  tag?: string;
  events: number;
}

export function ordersDoc(v: Variant): PipelineDocument {
  const EVENTS = v.events;
  return {
    format: 'sluice/v1',
    params: { tag: { type: 'string', value: 'p1' } },
    nodes: [
      { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 1000, count: EVENTS, seed: 7, startTime: 0 } },
      { id: 'parity', type: 'map', config: { set: { parity: 'order_id % 2' } } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: v.size ?? '100ms', keyBy: ['parity'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'tag', type: 'map', config: { set: { version: v.tag ?? '"v1"', param: 'params.tag' } } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'parity' },
      { id: 'e2', source: 'parity', target: 'win' },
      { id: 'e3', source: 'win', target: 'tag' },
      { id: 'e4', source: 'tag', target: 'out' },
    ],
  } as PipelineDocument;
}

interface Row {
  parity: number;
  window_start: number;
  window_end: number;
  n: number;
  version: string;
  param: string;
}

/** Every 100 ms window of the run, both parities, 50 events each (see the header). */
function cleanWindows(from: number, to: number, size = 100): Omit<Row, 'version' | 'param'>[] {
  const rows: Omit<Row, 'version' | 'param'>[] = [];
  for (let s = from; s < to; s += size)
    for (const parity of [0, 1]) rows.push({ parity, window_start: s, window_end: s + size, n: size / 2 });
  return rows;
}

const byWindow = (a: Omit<Row, 'version' | 'param'>, b: Omit<Row, 'version' | 'param'>) =>
  a.window_start - b.window_start || a.parity - b.parity;
const counts = (rows: Row[]) =>
  rows.map(({ parity, window_start, window_end, n }) => ({ parity, window_start, window_end, n })).sort(byWindow);

/** Why the deploy restarted instead of swapping (so a failure says it). */
function restartReason(r: RedeployReport | undefined): string | undefined {
  return r?.mode === 'restart' ? r.reason : undefined;
}

export function describeHotRedeploy(subject: HotRedeploySubject): void {
  const EVENTS = subject.events ?? 2000;
  describe(`hot redeploy: ${subject.name}`, () => {
    const hotDir = tempFolders('sluice-hot-');
    async function setup() {
      const dataDir = hotDir();
      const store = new FileStore({ dataDir });
      const runner = await subject.create();
      const lines: string[] = [];
      const manager = new DeploymentManager({ store, runner, ingest: new IngestHub(), log: (l) => lines.push(l) });
      const runs: unknown[] = [];
      manager.onRun((_id, h) => runs.push(h));
      await store.put('p', ordersDoc({ events: EVENTS }), { author: 'ana', action: 'create' });
      const baseDir = (await store.get('p'))!.baseDir;
      const first = await manager.deploy('p', {}, 'ana');
      // Mid-run: a quarter of the events read, so windows up to ~EVENTS/4 ms close before the
      // swap (it lets every batch already sent be applied first) and the rest after it.
      await waitFor(() => first.metrics().nodes.orders!.out >= EVENTS / 4, 30_000);
      return { store, manager, first, baseDir, lines, runs, close: () => manager.close().then(() => undefined) };
    }

    it('a change to a map after the window keeps the window counting: no event lost or duplicated, new output after the swap', async () => {
      const t = await setup();
      try {
        await t.store.put('p', ordersDoc({ tag: '"v2"', events: EVENTS }), { author: 'ana', action: 'save' });
        const outcome = await t.manager.deployReporting('p', {}, 'ana');
        expect(restartReason(outcome.redeploy)).toBeUndefined();
        expect(outcome.redeploy).toMatchObject({ mode: 'hot', reset: ['tag'], added: [], removed: [] });
        expect(outcome.handle).toBe(t.first); // swapped, not restarted
        expect(outcome.redeploy?.mode === 'hot' && [...outcome.redeploy.kept].sort()).toEqual(['orders', 'out', 'parity', 'win']);
        expect(t.lines.join('\n')).toMatch(/pipeline p redeployed without a restart: kept \[.*win.*\], reset \[tag\]/);
        expect(t.runs).toEqual([t.first, t.first]); // the recorder hears of the swapped-in pipeline
        expect((await t.store.getDeployment('p'))?.version).toBe(4); // create, deploy, save, deploy
        const result = await t.first.done;
        expect(result.status).toBe('completed');
        const rows = readJsonl(join(t.baseDir, 'out.jsonl')) as unknown as Row[];
        expect(counts(rows)).toEqual(cleanWindows(0, EVENTS));
        expect(result.metrics.nodes.orders!.out).toBe(EVENTS);
        expect(result.metrics.nodes.win!.in).toBe(EVENTS);
        // File order is emission order: every window before the swap says v1, every one after v2.
        const versions = rows.map((r) => r.version);
        const firstV2 = versions.indexOf('v2');
        expect(firstV2).toBeGreaterThan(0);
        expect(versions.slice(0, firstV2).every((v) => v === 'v1')).toBe(true);
        expect(versions.slice(firstV2).every((v) => v === 'v2')).toBe(true);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('a param-only change keeps every node and the new value takes effect', async () => {
      const t = await setup();
      try {
        const outcome = await t.manager.deployReporting('p', { tag: 'p2' }, 'ana');
        expect(restartReason(outcome.redeploy)).toBeUndefined();
        expect(outcome.redeploy).toMatchObject({ mode: 'hot', reset: [], added: [], removed: [] });
        expect(outcome.handle).toBe(t.first);
        expect(outcome.redeploy?.mode === 'hot' && outcome.redeploy.kept.length).toBe(5);
        expect((await t.store.getDeployment('p'))?.params).toEqual({ tag: 'p2' });
        const result = await t.first.done;
        expect(result.status).toBe('completed');
        const rows = readJsonl(join(t.baseDir, 'out.jsonl')) as unknown as Row[];
        expect(counts(rows)).toEqual(cleanWindows(0, EVENTS));
        const params = rows.map((r) => r.param);
        const firstP2 = params.indexOf('p2');
        expect(firstP2).toBeGreaterThan(0);
        expect(params.slice(0, firstP2).every((v) => v === 'p1')).toBe(true);
        expect(params.slice(firstP2).every((v) => v === 'p2')).toBe(true);
      } finally {
        await t.close();
      }
    }, 60_000);

    it("a change to the window's size resets that window (documented) and loses no source event", async () => {
      const t = await setup();
      try {
        await t.store.put('p', ordersDoc({ size: '200ms', events: EVENTS }), { author: 'ana', action: 'save' });
        const outcome = await t.manager.deployReporting('p', {}, 'ana');
        expect(restartReason(outcome.redeploy)).toBeUndefined();
        expect(outcome.redeploy).toMatchObject({ mode: 'hot', reset: ['win'], reasons: { win: 'config changed' } });
        expect(outcome.handle).toBe(t.first);
        const result = await t.first.done;
        expect(result.status).toBe('completed');
        // Every source event was read once and reached the window once.
        expect(result.metrics.nodes.orders!.out).toBe(EVENTS);
        expect(result.metrics.nodes.win!.in).toBe(EVENTS);
        expect(result.metrics.nodes.win!.late).toBe(0);
        const rows = counts(readJsonl(join(t.baseDir, 'out.jsonl')) as unknown as Row[]);
        const small = rows.filter((r) => r.window_end - r.window_start === 100);
        const large = rows.filter((r) => r.window_end - r.window_start === 200);
        expect(small.length + large.length).toBe(rows.length);
        // Before the swap: complete 100 ms windows from 0 up to some T1.
        const t1 = (small.length / 2) * 100;
        expect(t1).toBeGreaterThan(0);
        expect(small).toEqual(cleanWindows(0, t1));
        // After: 200 ms windows up to the end; all complete but the first ones, which only have
        // the events read after the swap (the open 100 ms window's events went with its state).
        const a = large[0]!.window_start;
        expect(a + 200).toBeGreaterThan(t1);
        const first = large.filter((r) => r.window_start === a);
        expect(large.slice(first.length)).toEqual(cleanWindows(a + 200, EVENTS, 200));
        // Parities alternate event by event: both have events after the swap, a count apart,
        // unless the swap came just before the window's last event (one parity, that one event).
        if (first.length === 2) {
          expect(first[0]!.n).toBeLessThanOrEqual(100);
          expect(Math.abs(first[0]!.n - first[1]!.n)).toBeLessThanOrEqual(1);
        } else expect(first).toEqual([{ parity: 0, window_start: a, window_end: a + 200, n: 1 }]);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('a new version that cannot start fails the deploy and the running version goes on, whole', async () => {
      const t = await setup();
      try {
        // An enrich table that does not exist, chained after the source: it fails when built.
        const broken = ordersDoc({ tag: '"v2"', events: EVENTS });
        broken.nodes.splice(1, 0, {
          id: 'lookup',
          type: 'enrich',
          config: { table: { path: 'missing.jsonl' }, key: 'sku', on: 'sku' },
        } as never);
        broken.edges[0] = { id: 'e1', source: 'orders', target: 'lookup' };
        broken.edges.push({ id: 'e0', source: 'lookup', target: 'parity' });
        await t.store.put('p', broken, { author: 'ana', action: 'save' });
        const err = await t.manager.deploy('p', {}, 'ana').catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'start-failed' });
        expect((err as Error).message).toMatch(
          /^pipeline "p" was not redeployed \(the running version goes on\): lookup: .*missing\.jsonl/,
        );
        expect(t.manager.handle('p')).toBe(t.first);
        expect((await t.store.getDeployment('p'))?.version).toBe(2); // still the first deploy
        const result = await t.first.done;
        expect(result.status).toBe('completed');
        const rows = readJsonl(join(t.baseDir, 'out.jsonl')) as unknown as Row[];
        expect(counts(rows)).toEqual(cleanWindows(0, EVENTS));
        expect(rows.every((r) => r.version === 'v1')).toBe(true);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('a pipeline that has ended is deployed by a fresh start, and says why', async () => {
      const t = await setup();
      try {
        await t.first.done;
        const outcome = await t.manager.deployReporting('p', {}, 'ana');
        expect(outcome.handle).not.toBe(t.first);
        expect(outcome.redeploy).toEqual({ mode: 'restart', reason: 'the run had completed' });
      } finally {
        await t.close();
      }
    }, 60_000);
  });
}
