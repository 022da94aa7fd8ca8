/**
 * Events handed over in place (docs/execution-model.md, "Who owns an event"): map and enrich
 * change an owned batch's events instead of copying them, so whatever else sees those events (a
 * second edge out of the same port, a data tap) must see them as they were. Expected values are
 * computed by hand from the inputs.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '@sluice/engine';
import { compiled, readJsonl, runToEnd } from '@sluice/engine/testing';

const ownedDir = tempFolders('sluice-owned-');

const sink = (id: string) => ({ id, type: 'sink.file', config: { path: `${id}.jsonl` } });
const map = (id: string, expr: string) => ({ id, type: 'map', config: { set: { x: expr } } });

describe('owned events', () => {
  for (const batchSize of [1, 1000]) {
    it(`a fan-out shares its events: each branch sees them as the port emitted them (batch ${batchSize})`, async () => {
      const dir = ownedDir();
      writeFileSync(join(dir, 'in.jsonl'), '{"ts":1,"x":1}\n{"ts":2,"x":2}\n');
      const doc = {
        format: 'sluice/v1',
        nodes: [
          { id: 'src', type: 'source.file', config: { path: 'in.jsonl', timeField: 'ts' } },
          map('plus1', 'x + 1'),
          map('times10', 'x * 10'),
          map('plus100', 'x + 100'),
          sink('raw'),
          sink('after_plus1'),
          sink('after_times10'),
          sink('after_plus100'),
        ],
        // The edge to the node that changes events comes first out of each port, so an event
        // changed in place would reach the port's other edges changed.
        edges: [
          { id: 'a', source: 'src', target: 'plus1' },
          { id: 'b', source: 'src', target: 'raw' },
          { id: 'c', source: 'plus1', target: 'times10' },
          { id: 'd', source: 'plus1', target: 'plus100' },
          { id: 'e', source: 'plus1', target: 'after_plus1' },
          { id: 'f', source: 'times10', target: 'after_times10' },
          { id: 'g', source: 'plus100', target: 'after_plus100' },
        ],
      };
      const result = await runToEnd(new EmbeddedRunner(), doc, { baseDir: dir, batchSize });
      expect(result.status).toBe('completed');
      const xs = (id: string) => readJsonl(join(dir, `${id}.jsonl`)).map((r) => r.x);
      expect(xs('raw')).toEqual([1, 2]);
      expect(xs('after_plus1')).toEqual([2, 3]);
      expect(xs('after_times10')).toEqual([20, 30]);
      expect(xs('after_plus100')).toEqual([102, 103]);
    });
  }

  it('a data tap keeps the events of its edge as they crossed it, while the chain changes owned events in place', async () => {
    const doc = compiled({
      format: 'sluice/v1',
      nodes: [
        // Paced, so the tap is on before most events flow.
        { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 300, rate: 1000, seed: 3 } },
        { id: 'copy', type: 'map', config: { set: { q: 'quantity' } } },
        { id: 'plus1', type: 'map', config: { set: { q: 'q + 1' } } },
        { id: 'times10', type: 'map', config: { set: { q: 'q * 10' } } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'src', target: 'copy' },
        { id: 'e2', source: 'copy', target: 'plus1' },
        { id: 'e3', source: 'plus1', target: 'times10' },
        { id: 'e4', source: 'times10', target: 'out' },
      ],
    });
    const handle = await new EmbeddedRunner().deploy(doc, { baseDir: tmpdir() });
    const seen: Record<string, unknown>[] = [];
    const off = handle.tap('e3', (events) => {
      for (const e of events) seen.push(e as Record<string, unknown>);
    });
    const result = await handle.done;
    off();
    expect(result.status).toBe('completed');
    expect(seen.length).toBeGreaterThan(0);
    // What crossed e3 had q = quantity + 1; times10 must not have changed those objects after.
    for (const e of seen) expect(e.q).toBe((e.quantity as number) + 1);
  });
});
