/**
 * Fused chains (docs/execution-model.md, "Fused chains"): filter -> map -> enrich -> window runs
 * event by event in one loop while nothing watches its inner edges. The results, the per-node
 * counts, the edge counts and what the late and error ports carry must be what the nodes give one
 * by one: a data tap on an inner edge (which turns fusion off) must change none of them. On
 * partition threads the chain ends at the window partitions of its own thread and at stand-ins for
 * the others' (threads/remote-partition.ts), which ship what the window reads or, with its late
 * port connected, the whole enriched event: the same results and counts.
 * Expected values are computed by hand from the inputs.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '@sluice/engine';
import { compiled, readJsonl } from '@sluice/engine/testing';

const fusedDir = tempFolders('sluice-fused-');

/**
 * 8 events, 1 s of event time apart from ts 0, then one at ts 2500 after the 10 s window closed
 * (maxOutOfOrderness 0): late. kind b is filtered out, x = "bad" fails the map (text * 2 is a
 * type error), ad z has no row (dropped).
 */
const INPUT = [
  { ts: 0, kind: 'a', ad: 'p', x: 1 },
  { ts: 1000, kind: 'b', ad: 'p', x: 1 },
  { ts: 2000, kind: 'a', ad: 'q', x: 2 },
  { ts: 3000, kind: 'a', ad: 'p', x: 'bad' },
  { ts: 4000, kind: 'a', ad: 'z', x: 4 },
  { ts: 5000, kind: 'a', ad: 'q', x: 5 },
  { ts: 6000, kind: 'b', ad: 'q', x: 6 },
  { ts: 12000, kind: 'a', ad: 'p', x: 10 },
  { ts: 2500, kind: 'a', ad: 'q', x: 20 },
];

function document(latePort = true) {
  const doc = {
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.file', config: { path: 'in.jsonl', timeField: 'ts' } },
      { id: 'only_a', type: 'filter', config: { expression: 'kind == "a"' } },
      { id: 'inv', type: 'map', config: { set: { y: 'x * 2' } } },
      {
        id: 'campaign',
        type: 'enrich',
        config: {
          table: {
            rows: [
              { ad: 'p', campaign: 'P' },
              { ad: 'q', campaign: 'Q' },
            ],
          },
          key: 'ad',
          on: 'ad',
          onMissing: 'drop',
        },
      },
      {
        id: 'per_campaign',
        type: 'window',
        config: {
          type: 'tumbling',
          size: '10s',
          keyBy: ['campaign'],
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'sx', op: 'sum', field: 'x' },
          ],
        },
      },
      { id: 'counts', type: 'sink.file', config: { path: 'counts.jsonl' } },
      { id: 'late', type: 'sink.file', config: { path: 'late.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'only_a' },
      { id: 'e2', source: 'only_a', target: 'inv' },
      { id: 'e3', source: 'inv', target: 'campaign' },
      { id: 'e4', source: 'campaign', target: 'per_campaign' },
      { id: 'e5', source: 'per_campaign', target: 'counts' },
      { id: 'e6', source: 'per_campaign', sourcePort: 'late', target: 'late' },
    ],
  };
  if (!latePort) {
    doc.nodes = doc.nodes.filter((n) => n.id !== 'late');
    doc.edges = doc.edges.filter((e) => e.id !== 'e6');
  }
  return doc;
}

async function run(how: 'fused' | 'tapped' | 'debugged', partitions: number, threads = false, latePort = true) {
  const dir = fusedDir();
  writeFileSync(join(dir, 'in.jsonl'), `${INPUT.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const crossings = new Set<string>();
  const handle = await new EmbeddedRunner({ threads }).deploy(compiled(document(latePort)), {
    baseDir: dir,
    partitions,
    ...(how === 'debugged' ? { onEdgeCrossing: (edgeId: string) => void crossings.add(edgeId) } : {}),
  });
  const off = how === 'tapped' ? handle.tap('e3', () => undefined) : undefined;
  const result = await handle.done;
  off?.();
  return { dir, result, crossings };
}

const ON_ONE_THREAD = [1, 2].map((partitions) => ({ partitions, threads: false }));
const ON_THREADS = [2, 4].map((partitions) => ({ partitions, threads: true }));
/** The first run on threads starts the pool (each thread loads the engine: tens of seconds on a loaded machine). */
const timeout = (threads: boolean) => (threads ? 180_000 : undefined);

describe('fused chains', () => {
  for (const { partitions, threads } of [...ON_ONE_THREAD, ...ON_THREADS]) {
    it(
      `give the windows, late events, counts and edge counts of the nodes run one by one (${partitions} partition${partitions > 1 ? 's' : ''}${threads ? ' on threads' : ''})`,
      async () => {
        const { dir, result } = await run('fused', partitions, threads);
        expect(result.status).toBe('completed');
        const counts = readJsonl(join(dir, 'counts.jsonl')).sort(
          (a, b) => String(a.campaign).localeCompare(String(b.campaign)) || Number(a.window_start) - Number(b.window_start),
        );
        // Window [0, 10s): P gets ts 0 (x 1); Q gets ts 2000 (x 2) and 5000 (x 5). ts 3000 failed
        // the map, ts 4000 has no row. Window [10s, 20s): P gets ts 12000 (x 10).
        expect(counts).toEqual([
          { campaign: 'P', window_start: 0, window_end: 10000, n: 1, sx: 1 },
          { campaign: 'P', window_start: 10000, window_end: 20000, n: 1, sx: 10 },
          { campaign: 'Q', window_start: 0, window_end: 10000, n: 2, sx: 7 },
        ]);
        // The late event goes out as enrich made it: with its campaign and the map's field.
        expect(readJsonl(join(dir, 'late.jsonl'))).toEqual([{ ts: 2500, kind: 'a', ad: 'q', x: 20, y: 40, campaign: 'Q' }]);
        const n = result.metrics.nodes;
        expect([n.only_a!.in, n.only_a!.out]).toEqual([9, 7]);
        expect([n.inv!.in, n.inv!.out, n.inv!.errors]).toEqual([7, 6, 1]);
        expect([n.campaign!.in, n.campaign!.out, n.campaign!.dropped]).toEqual([6, 5, 1]);
        expect([n.per_campaign!.in, n.per_campaign!.out, n.per_campaign!.late]).toEqual([5, 3, 1]);
        const edges = result.metrics.edges;
        expect([edges.e1!.events, edges.e2!.events, edges.e3!.events, edges.e4!.events, edges.e5!.events, edges.e6!.events]).toEqual([
          9, 7, 6, 5, 3, 1,
        ]);
      },
      timeout(threads),
    );
  }

  for (const { partitions, threads } of [...ON_ONE_THREAD, ...ON_THREADS])
    it(
      `give the same windows and counts when the window's late port is not connected (${partitions} partition${partitions > 1 ? 's' : ''}${threads ? ' on threads' : ''})`,
      async () => {
        // Across threads only the window's fields (campaign, x) then cross, copied from the chain's view.
        const { dir, result } = await run('fused', partitions, threads, false);
        expect(result.status).toBe('completed');
        expect(
          readJsonl(join(dir, 'counts.jsonl')).sort(
            (a, b) => String(a.campaign).localeCompare(String(b.campaign)) || Number(a.window_start) - Number(b.window_start),
          ),
        ).toEqual([
          { campaign: 'P', window_start: 0, window_end: 10000, n: 1, sx: 1 },
          { campaign: 'P', window_start: 10000, window_end: 20000, n: 1, sx: 10 },
          { campaign: 'Q', window_start: 0, window_end: 10000, n: 2, sx: 7 },
        ]);
        const n = result.metrics.nodes;
        expect([n.campaign!.in, n.campaign!.out, n.campaign!.dropped]).toEqual([6, 5, 1]);
        expect([n.per_campaign!.in, n.per_campaign!.out, n.per_campaign!.late]).toEqual([5, 3, 1]);
        expect(result.metrics.edges.e4!.events).toBe(5);
      },
      timeout(threads),
    );

  for (const how of ['debugged', 'tapped'] as const)
    it(`run node by node ${how === 'debugged' ? 'under the debugger' : 'with a tap on an inner edge'}, with the same results`, async () => {
      const fused = await run('fused', 1);
      const debugged = await run(how, 1);
      expect(debugged.result.status).toBe('completed');
      if (how === 'debugged') expect([...debugged.crossings].sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
      expect(readJsonl(join(debugged.dir, 'counts.jsonl'))).toEqual(readJsonl(join(fused.dir, 'counts.jsonl')));
      expect(readJsonl(join(debugged.dir, 'late.jsonl'))).toEqual(readJsonl(join(fused.dir, 'late.jsonl')));
      expect(debugged.result.metrics.nodes).toMatchObject(
        Object.fromEntries(
          Object.entries(fused.result.metrics.nodes).map(([id, m]) => [
            id,
            { in: m.in, out: m.out, errors: m.errors, late: m.late, dropped: m.dropped },
          ]),
        ),
      );
    });
});
