import { tempFolders } from '../sdk/testing/temp-folders.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { enrichDefinition } from './definition.js';
import { enrichOperator } from './operator.js';

const enrichDir = tempFolders('sluice-enrich-');

describeGoldenCases('enrich', new URL('./cases', import.meta.url));

async function enrich(config: Record<string, unknown>, baseDir?: string): Promise<Operator> {
  const parsed = enrichDefinition.config.parse(config);
  return enrichOperator(testContext({ config: parsed, ...(baseDir ? { baseDir } : {}) }));
}

function run(op: Operator, events: Event[]) {
  const col = recordingCollector('node', () => true);
  op.process(events, col, 'in');
  return col;
}

describe('enrich', () => {
  it('loads a table from a JSON-lines file and from a CSV file (typed like source.file)', async () => {
    const dir = enrichDir();
    writeFileSync(join(dir, 'campaigns.jsonl'), '{"ad_id":"a1","campaign_id":"c1"}\n\n{"ad_id":"a2","campaign_id":"c2"}\n');
    writeFileSync(join(dir, 'skus.csv'), 'sku,price,label\n007,9.5,"Red, large"\n8,,x\n');
    const byJsonl = await enrich({ table: { path: 'campaigns.jsonl' }, key: 'ad_id', on: 'ad_id', fields: ['campaign_id'] }, dir);
    expect(plain(run(byJsonl, [{ ad_id: 'a2', t: 1 }, { ad_id: 'a3' }]).outputs.out)).toEqual([{ ad_id: 'a2', t: 1, campaign_id: 'c2' }]);
    const byCsv = await enrich({ table: { path: 'skus.csv' }, key: 'sku', on: 'sku' }, dir);
    expect(plain(run(byCsv, [{ sku: '007' }, { sku: 8 }, { sku: '8' }]).outputs.out)).toEqual([
      { sku: '007', price: 9.5, label: 'Red, large' },
      { sku: 8, price: null, label: 'x' },
      { sku: '8', price: null, label: 'x' },
    ]);
  });

  it('fails at creation on a missing or malformed table file, naming it and the line', async () => {
    const dir = enrichDir();
    writeFileSync(join(dir, 'bad.jsonl'), '{"k":1}\n{"k":\n');
    await expect(enrich({ table: { path: 'nope.jsonl' }, key: 'k', on: 'k' }, dir)).rejects.toThrow(/cannot read table nope\.jsonl/);
    await expect(enrich({ table: { path: 'bad.jsonl' }, key: 'k', on: 'k' }, dir)).rejects.toThrow(
      /table bad\.jsonl: line 2: malformed JSON/,
    );
  });

  it('adds the row to an owned event in place, and copies a shared one', async () => {
    const op = await enrich({ table: { rows: [{ k: 'a', v: 1 }] }, key: 'k', on: 'k', onMissing: 'pass' });
    const owned = { k: 'a', [EVENT_TIME]: 5 } as Event;
    const col = recordingCollector('node', () => true);
    op.process([owned, { k: 'b' }], col, 'in', true);
    expect(col.outputs.out![0]).toBe(owned);
    expect(plain(col.outputs.out)).toEqual([{ k: 'a', v: 1 }, { k: 'b' }]);
    expect(owned[EVENT_TIME]).toBe(5);
    const shared = { k: 'a' } as Event;
    const out = run(op, [shared]).outputs.out!;
    expect(out[0]).not.toBe(shared);
    expect(shared).toEqual({ k: 'a' });
  });

  it('returns new objects, keeps event metadata, and never touches frozen inputs', async () => {
    const op = await enrich({ table: { rows: [{ k: 'a', v: 1 }] }, key: 'k', on: 'k', onMissing: 'pass' });
    const input = Object.freeze({ k: 'a', nested: Object.freeze({ x: 1 }), [EVENT_TIME]: 123 }) as Event;
    const missing = Object.freeze({ k: 'b' });
    const out = run(op, Object.freeze([input, missing]) as Event[]).outputs.out!;
    expect(out[0]).not.toBe(input);
    expect(out[0]![EVENT_TIME]).toBe(123);
    expect(plain(out)).toEqual([{ k: 'a', nested: { x: 1 }, v: 1 }, { k: 'b' }]);
    expect(out[1]).toBe(missing);
    expect(plain([input])).toEqual([{ k: 'a', nested: { x: 1 } }]);
  });

  it('has an error port only with onMissing: error, and infers copied field types from inline rows', () => {
    const c = enrichDefinition.config.parse({
      table: {
        rows: [
          { k: 'a', n: 1, s: null, m: 'x' },
          { k: 'b', n: 2, s: 'y', m: 3 },
        ],
      },
      key: 'k',
      on: 'ref',
      prefix: 't_',
    });
    expect(enrichDefinition.outputs(c).map((p) => p.name)).toEqual(['out']);
    expect(enrichDefinition.outputs({ ...c, onMissing: 'error' }).map((p) => p.name)).toEqual(['out', 'error']);
    const schema = enrichDefinition.inferSchema!(c, { inputs: { in: { fields: { ref: 'string' }, open: false } } });
    expect(schema.out).toEqual({ fields: { ref: 'string', t_n: 'number', t_s: 'string', t_m: 'any' }, open: false });
    const fromFile = enrichDefinition.config.parse({ table: { path: 'x.csv' }, key: 'k', on: 'ref' });
    expect(enrichDefinition.inferSchema!(fromFile, { inputs: { in: { fields: { ref: 'string' }, open: false } } }).out).toEqual({
      fields: { ref: 'string' },
      open: true,
    });
  });

  it('warns about rows without a key and duplicate keys', () => {
    const c = enrichDefinition.config.parse({ table: { rows: [{ k: 'a' }, { x: 1 }, { k: 'a' }] }, key: 'k', on: 'k' });
    expect(enrichDefinition.check!(c).map((p) => `${p.severity} ${p.path}`)).toEqual([
      'warning config.table.rows[1]',
      'warning config.table.rows',
    ]);
    expect(enrichDefinition.config.safeParse(enrichDefinition.example).success).toBe(true);
  });
});
