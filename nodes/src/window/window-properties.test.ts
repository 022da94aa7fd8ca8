/**
 * Randomized streams against a brute-force model of the contract with one watermark per event
 * (the definition the batching must not change), run through the golden-case harness at batch
 * sizes 1, 7 and 1000.
 */
import { describe, expect, it } from 'vitest';
import { type GoldenCase, GOLDEN_BATCH_SIZES, plain, runGoldenCase } from '../sdk/testing/index.js';
import { windowStarts } from './assigners.js';

type Raw = { ts: number; k: string; v?: number | null; c?: string };
type Agg = { as: string; op: string; field?: string };

const AGGS: Agg[] = [
  { as: 'n', op: 'count' },
  { as: 'total', op: 'sum', field: 'v' },
  { as: 'mean', op: 'avg', field: 'v' },
  { as: 'lo', op: 'min', field: 'v' },
  { as: 'hi', op: 'max', field: 'v' },
  { as: 'kinds', op: 'count_distinct', field: 'c' },
  { as: 'first_v', op: 'first', field: 'v' },
  { as: 'last_v', op: 'last', field: 'v' },
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function stream(seed: number, n: number, oo: number): Raw[] {
  const r = rng(seed);
  let clock = -3000;
  return Array.from({ length: n }, () => {
    clock += Math.floor(r() * 400);
    const roll = r();
    const ts = roll < 0.08 ? clock - oo - Math.floor(r() * 8000) : clock - Math.floor(r() * (oo + 1));
    const e: Raw = { ts, k: `k${Math.floor(r() * 3)}`, c: `c${Math.floor(r() * 4)}` };
    const v = r();
    if (v < 0.1) e.v = null;
    else if (v > 0.2) e.v = Math.floor(r() * 100) - 20;
    return e;
  });
}

/** The aggregates of a list of events (in arrival order), computed the obvious way. */
function aggregate(events: Raw[]): Record<string, unknown> {
  const vals = events.filter((e) => e.v !== undefined && e.v !== null) as (Raw & { v: number })[];
  const byTime = (pick: (a: Raw & { v: number }, b: Raw & { v: number }) => boolean) =>
    vals.reduce<(Raw & { v: number }) | null>((best, e) => (best === null || pick(e, best) ? e : best), null);
  const sum = vals.reduce((s, e) => s + e.v, 0);
  return {
    n: events.length,
    total: vals.length ? sum : null,
    mean: vals.length ? sum / vals.length : null,
    lo: vals.length ? Math.min(...vals.map((e) => e.v)) : null,
    hi: vals.length ? Math.max(...vals.map((e) => e.v)) : null,
    kinds: new Set(events.map((e) => e.c)).size,
    first_v: byTime((e, b) => e.ts < b.ts)?.v ?? null,
    last_v: byTime((e, b) => e.ts >= b.ts)?.v ?? null,
  };
}

interface Model {
  out: Record<string, unknown>[];
  late: Raw[];
  dropped: number;
}

function fixedModel(events: Raw[], size: number, slide: number, oo: number, lateness: number): Model {
  const windows = new Map<string, { k: string; s: number; events: Raw[] }>();
  const model: Model = { out: [], late: [], dropped: 0 };
  let maxT = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    const wm = maxT - oo;
    const starts = windowStarts(e.ts, size, slide);
    const open = starts.filter((s) => s + size + lateness > wm);
    if (starts.length === 0) model.dropped++;
    else if (open.length === 0) model.late.push(e);
    for (const s of open) {
      const id = `${e.k}/${s}`;
      if (!windows.has(id)) windows.set(id, { k: e.k, s, events: [] });
      windows.get(id)!.events.push(e);
    }
    maxT = Math.max(maxT, e.ts);
  }
  for (const w of windows.values()) model.out.push({ k: w.k, window_start: w.s, window_end: w.s + size, ...aggregate(w.events) });
  return model;
}

function sessionModel(events: Raw[], gap: number, oo: number, lateness: number): Model {
  type Session = { k: string; s: number; e: number; events: Raw[] };
  let open: Session[] = [];
  const model: Model = { out: [], late: [], dropped: 0 };
  const emit = (wm: number) => {
    for (const x of open.filter((x) => x.e + lateness <= wm))
      model.out.push({ k: x.k, window_start: x.s, window_end: x.e, ...aggregate(x.events) });
    open = open.filter((x) => x.e + lateness > wm);
  };
  let maxT = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    emit(maxT - oo);
    const touching = open.filter((x) => x.k === e.k && e.ts < x.e && e.ts + gap > x.s);
    if (touching.length === 0 && e.ts + gap + lateness <= maxT - oo) model.late.push(e);
    else {
      open = open.filter((x) => !touching.includes(x));
      const all = [...touching.flatMap((x) => x.events), e].sort((a, b) => events.indexOf(a) - events.indexOf(b));
      const s = Math.min(e.ts, ...touching.map((x) => x.s));
      const end = Math.max(e.ts + gap, ...touching.map((x) => x.e));
      open.push({ k: e.k, s, e: end, events: all });
    }
    maxT = Math.max(maxT, e.ts);
  }
  emit(Number.POSITIVE_INFINITY);
  return model;
}

const sorted = (xs: Record<string, unknown>[]) => [...xs].map((x) => JSON.stringify(x)).sort();

describe('window against a per-event model of the contract (random streams)', () => {
  const shapes = [
    { type: 'tumbling', size: 2000, model: (ev: Raw[], oo: number, l: number) => fixedModel(ev, 2000, 2000, oo, l) },
    { type: 'sliding', size: 3000, slide: 1000, model: (ev: Raw[], oo: number, l: number) => fixedModel(ev, 3000, 1000, oo, l) },
    { type: 'sliding', size: 2500, slide: 700, model: (ev: Raw[], oo: number, l: number) => fixedModel(ev, 2500, 700, oo, l) },
    { type: 'sliding', size: 500, slide: 900, model: (ev: Raw[], oo: number, l: number) => fixedModel(ev, 500, 900, oo, l) },
    { type: 'session', gap: 600, model: (ev: Raw[], oo: number, l: number) => sessionModel(ev, 600, oo, l) },
  ];
  for (const { model, ...shape } of shapes) {
    for (const [oo, lateness] of [
      [0, 0],
      [1500, 0],
      [1000, 2000],
    ] as const) {
      it(`${JSON.stringify(shape)}, maxOutOfOrderness ${oo}, allowedLateness ${lateness}`, async () => {
        for (let seed = 1; seed <= 6; seed++) {
          const events = stream(seed * 7919 + oo + lateness, 400, oo);
          const want = model(events, oo, lateness);
          expect(want.out.length).toBeGreaterThan(10);
          const c: GoldenCase = {
            name: 'random',
            config: { ...shape, keyBy: ['k'], allowedLateness: lateness, aggregates: AGGS },
            source: { maxOutOfOrderness: oo },
            steps: [{ events }, { watermark: 'end' }],
            expect: {},
          };
          for (const batch of GOLDEN_BATCH_SIZES) {
            const run = await runGoldenCase('window', c, batch);
            const where = `seed ${seed}, batch ${batch}`;
            expect(sorted(plain(run.outputs.out)), where).toEqual(sorted(want.out));
            expect(plain(run.outputs.late), where).toEqual(want.late);
            expect(run.counters, where).toEqual({ errors: 0, late: want.late.length, dropped: want.dropped });
          }
        }
      });
    }
  }
});
