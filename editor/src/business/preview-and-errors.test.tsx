import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError, type PreviewResult } from '../api/client';
import { placeErrors } from './place-errors';
import { fmtPct, MovesChart, PreviewReport, showKey } from './preview-view';

describe('refusals shown where they belong', () => {
  it('a 403 names the param and the table cell; each goes to its place', () => {
    const err = new ApiError(403, {
      error: {
        code: 'forbidden',
        message: 'business users may not change: params.surge_pct.value',
        details: [
          { severity: 'error', code: 'forbidden-change', path: 'params.surge_pct.value', message: '60 is above the maximum 50' },
          {
            severity: 'error',
            code: 'forbidden-change',
            nodeId: 'pricing',
            path: 'config.rows[2].then.adjust_pct',
            message: 'business users may not change this',
          },
          { severity: 'error', code: 'forbidden-change', edgeId: 'e3', message: 'business users may not change this: removed' },
        ],
      },
    });
    const placed = placeErrors(err);
    expect(placed.general).toEqual([
      'Not allowed: business users may not change: params.surge_pct.value',
      'edge e3: business users may not change this: removed',
    ]);
    expect(placed.params).toEqual({ surge_pct: ['60 is above the maximum 50'] });
    expect(placed.tables).toEqual({
      pricing: [{ path: 'rows[2].then.adjust_pct', message: 'business users may not change this', severity: 'error' }],
    });
  });

  it('a failure that is not the API is said as it is', () => {
    expect(placeErrors(new Error('network down'))).toEqual({ general: ['network down'], params: {}, tables: {} });
  });
});

const result: PreviewResult = {
  recording: { events: 1200 as never, sources: { orders: 1200 } },
  live: { version: 4, outputs: {}, errors: {} },
  draft: { outputs: {}, errors: {} },
  diff: {
    prices: {
      key: ['sku'],
      unchanged: 7,
      changed: 2,
      added: 1,
      removed: 0,
      rows: [
        {
          key: 'sku-1',
          change: 'changed',
          before: { price: 100 },
          after: { price: 108 },
          fields: [{ field: 'price', before: 100, after: 108, delta: 8, pct: 8 }],
        },
        {
          key: 'sku-2',
          change: 'changed',
          before: { price: 50 },
          after: { price: 48.5 },
          fields: [{ field: 'price', before: 50, after: 48.5, delta: -1.5, pct: -3 }],
        },
        { key: 'sku-9', change: 'added', after: { price: 12 }, fields: [] },
      ],
      biggestMoves: [
        { key: 'sku-1', field: 'price', before: 100, after: 108, delta: 8, pct: 8 },
        { key: 'sku-2', field: 'price', before: 50, after: 48.5, delta: -1.5, pct: -3 },
      ],
    },
  },
  outcomes: { changed: 30, total: 1200 },
};

describe('the preview report', () => {
  const html = renderToStaticMarkup(
    <PreviewReport
      result={result}
      document={{ format: 'sluice/v1', nodes: [{ id: 'prices', type: 'sink.file', label: 'All prices', config: {} }], edges: [] }}
    />,
  );
  it('says what it ran on, against which live version, and how many outcomes change', () => {
    expect(html).toContain('Ran on <strong>1200</strong> recorded events (orders: 1200), against the live version v4.');
    expect(html).toContain('<strong>30</strong> of 1200 events change outcome (2.5 %).');
  });
  it('counts per sink, under its label', () => {
    expect(html).toContain('All prices');
    expect(html).toMatch(/preview-prices-unchanged"><strong>7<\/strong> unchanged/);
    expect(html).toMatch(/preview-prices-changed"><strong>2<\/strong> changed/);
    expect(html).toMatch(/preview-prices-added"><strong>1<\/strong> added/);
  });
  it('one table line per changed field: key, before, after, signed delta and percent', () => {
    expect(html).toContain(
      '<td class="mono">sku-1</td><td>changed</td><td>price</td><td class="num">100</td><td class="num">108</td><td class="num">+8</td><td class="num">+8.0 %</td>',
    );
    expect(html).toContain('<td class="num">50</td><td class="num">48.5</td><td class="num">-1.5</td><td class="num">-3.0 %</td>');
    expect(html).toContain('<td class="mono">sku-9</td><td>added</td>');
  });
  it('percent format', () => {
    expect(fmtPct(8)).toBe('+8.0 %');
    // A move that rounds to nothing shows no sign.
    expect(fmtPct(-0.04)).toBe('0.0 %');
    expect(fmtPct(-3.26)).toBe('-3.3 %');
    expect(fmtPct(undefined)).toBe('');
  });
});

describe('the moves chart', () => {
  it('draws before and after on one scale from zero: 100 -> 108 is 320 px wide at 108', () => {
    const svg = renderToStaticMarkup(<MovesChart moves={[{ key: 'sku-1', field: 'price', before: 100, after: 108, delta: 8, pct: 8 }]} />);
    // Scale: 0..108 over 320 px from x=230. before: 100/108*320 = 296.296...; after: 320.
    const widths = [...svg.matchAll(/<rect x="230" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBeCloseTo(296.296, 2);
    expect(widths[1]).toBe(320);
  });
  it('a negative value goes left of zero', () => {
    const svg = renderToStaticMarkup(<MovesChart moves={[{ key: 'k', field: 'adj', before: -10, after: 10, delta: 20, pct: -200 }]} />);
    // Scale -10..10 over 320 px: zero at 390; -10 at 230 (width 160), 10 at 550.
    expect(svg).toContain('<rect x="230" y="4" width="160"');
    expect(svg).toContain('<rect x="390" y="16" width="160"');
  });
});

describe('row keys as people read them', () => {
  it('values only, quotes gone, epoch milliseconds as UTC time', () => {
    expect(showKey('sku="SKU-10006", category="electronics", window_start=1767225900000')).toBe(
      'SKU-10006 · electronics · 2026-01-01 00:05',
    );
    expect(showKey('name="a, b \\"c\\"", n=42')).toBe('a, b "c" · 42');
    expect(showKey('#3')).toBe('#3');
  });
});
