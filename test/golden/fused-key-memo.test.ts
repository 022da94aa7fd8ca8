/**
 * A fused enrich -> window keyed by the row's fields remembers each row's key slot (Operator.
 * acceptKeyed): results must be what a lookup per event gives when a row lacks the key field
 * (the event's own value keys it) and when the window frees idle key slots for other keys.
 * Expected values are computed by hand from the inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '@sluice/engine';
import { compiled, readJsonl } from '@sluice/engine/testing';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pipeline(rows: Record<string, unknown>[], size: string) {
  return compiled({
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.file', config: { path: 'in.jsonl', timeField: 'ts' } },
      { id: 'campaign', type: 'enrich', config: { table: { rows }, key: 'ad', on: 'ad', onMissing: 'drop' } },
      {
        id: 'per_campaign',
        type: 'window',
        config: {
          type: 'tumbling',
          size,
          keyBy: ['campaign'],
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'sx', op: 'sum', field: 'x' },
          ],
        },
      },
      { id: 'counts', type: 'sink.file', config: { path: 'counts.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'campaign' },
      { id: 'e2', source: 'campaign', target: 'per_campaign' },
      { id: 'e3', source: 'per_campaign', target: 'counts' },
    ],
  });
}

async function run(doc: ReturnType<typeof pipeline>, input: Record<string, unknown>[], partitions: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-key-memo-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'in.jsonl'), `${input.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const result = await (await new EmbeddedRunner().deploy(doc, { baseDir: dir, partitions })).done;
  expect(result.status).toBe('completed');
  return readJsonl(join(dir, 'counts.jsonl')).sort(
    (a, b) => Number(a.window_start) - Number(b.window_start) || String(a.campaign).localeCompare(String(b.campaign)),
  );
}

describe('a fused window keyed by enrich rows', () => {
  for (const partitions of [1, 2]) {
    it(`keys by the event's value where the row has no key field (${partitions} partition${partitions > 1 ? 's' : ''})`, async () => {
      // Row p sets campaign P over the event's; row q has no campaign, so q's events keep theirs.
      const rows = [
        { ad: 'p', campaign: 'P' },
        { ad: 'q', other: 1 },
      ];
      const input = [
        { ts: 0, ad: 'p', campaign: 'A', x: 1 },
        { ts: 1000, ad: 'q', campaign: 'A', x: 2 },
        { ts: 2000, ad: 'q', campaign: 'B', x: 3 },
        { ts: 3000, ad: 'p', x: 4 },
        { ts: 4000, ad: 'q', campaign: 'B', x: 5 },
      ];
      expect(await run(pipeline(rows, '10s'), input, partitions)).toEqual([
        { campaign: 'A', window_start: 0, window_end: 10000, n: 1, sx: 2 },
        { campaign: 'B', window_start: 0, window_end: 10000, n: 2, sx: 8 },
        { campaign: 'P', window_start: 0, window_end: 10000, n: 2, sx: 5 },
      ]);
    });

    it(`keys right after idle key slots were freed for other keys (${partitions} partition${partitions > 1 ? 's' : ''})`, async () => {
      // 4,000 ads, ad i in campaign c<i>. Windows of 10 s: ads 0-1999 in [0, 10s), ads 2000-3999
      // in [10s, 20s), ads 0-1999 again in [20s, 30s), 2000-3999 in [30s, 40s). Once the second
      // window fired, the window frees the first window's 2,000 idle slots (WindowColumns.sweep),
      // and the third window's keys (the first's again) take slots that other keys held.
      const ads = 4000;
      const rows = Array.from({ length: ads }, (_, i) => ({ ad: `a${i}`, campaign: `c${String(i).padStart(4, '0')}` }));
      const input: Record<string, unknown>[] = [];
      const expected: Record<string, unknown>[] = [];
      for (let w = 0; w < 4; w++) {
        const first = (w % 2) * 2000;
        for (let j = 0; j < 2000; j++) {
          const i = first + j;
          // Two events per ad and window, x = the ad's number and the window's: a sum per key.
          input.push({ ts: w * 10_000 + j * 4, ad: `a${i}`, x: i }, { ts: w * 10_000 + j * 4 + 1, ad: `a${i}`, x: w });
          expected.push({
            campaign: `c${String(i).padStart(4, '0')}`,
            window_start: w * 10_000,
            window_end: (w + 1) * 10_000,
            n: 2,
            sx: i + w,
          });
        }
      }
      expect(await run(pipeline(rows, '10s'), input, partitions)).toEqual(expected);
    });
  }
});
