/**
 * Aggregate accumulators: small plain values (JSON-serializable, so the runtime can snapshot
 * them), updated in place. Nulls and missing fields are ignored by every op but count.
 */
import type { AggregateOp } from './definition.js';

export type Acc = unknown;

export interface Aggregator {
  init(): Acc;
  /** Returns the new accumulator (mutating when it can). `t` is the event time. */
  add(acc: Acc, value: unknown, t: number): Acc;
  merge(a: Acc, b: Acc): Acc;
  result(acc: Acc): unknown;
  /** Why a value cannot be aggregated, or undefined when it can. */
  reject?(value: unknown): string | undefined;
}

type Sum = { s: number; n: number };
type Pick = { v: unknown; t: number } | null;

const numbersOnly = (op: string) => (v: unknown) =>
  v === null || v === undefined || typeof v === 'number' ? undefined : `${op} needs numbers, got ${typeof v} ${JSON.stringify(v)?.slice(0, 30)}`;
const comparable = (op: string) => (v: unknown) =>
  v === null || v === undefined || typeof v === 'number' || typeof v === 'string' ? undefined : `${op} needs numbers or strings, got ${typeof v}`;

export function aggregator(op: AggregateOp): Aggregator {
  switch (op) {
    case 'count':
      return { init: () => 0, add: (a) => (a as number) + 1, merge: (a, b) => (a as number) + (b as number), result: (a) => a };
    case 'sum':
    case 'avg':
      return {
        init: () => ({ s: 0, n: 0 }),
        add: (a, v) => {
          if (typeof v === 'number') {
            (a as Sum).s += v;
            (a as Sum).n++;
          }
          return a;
        },
        merge: (a, b) => ({ s: (a as Sum).s + (b as Sum).s, n: (a as Sum).n + (b as Sum).n }),
        result: (a) => ((a as Sum).n === 0 ? null : op === 'sum' ? (a as Sum).s : (a as Sum).s / (a as Sum).n),
        reject: numbersOnly(op),
      };
    case 'min':
    case 'max': {
      const better = op === 'min' ? (x: number | string, y: number | string) => x < y : (x: number | string, y: number | string) => x > y;
      const pick = (a: Acc, v: unknown) => (v === null || v === undefined ? a : a === null || better(v as number, a as number) ? v : a);
      return { init: () => null, add: pick, merge: (a, b) => pick(a, b), result: (a) => a, reject: comparable(op) };
    }
    case 'count_distinct':
      return {
        // Keys are type-tagged so 1 and "1" stay distinct; a plain object serializes everywhere.
        init: () => ({}),
        add: (a, v) => {
          if (v !== null && v !== undefined) (a as Record<string, 1>)[distinctKey(v)] = 1;
          return a;
        },
        merge: (a, b) => Object.assign({}, a, b),
        result: (a) => Object.keys(a as object).length,
      };
    case 'first':
    case 'last': {
      // Ties in event time: first keeps the earlier arrival, last takes the later one.
      const wins = op === 'first' ? (t: number, cur: number) => t < cur : (t: number, cur: number) => t >= cur;
      return {
        init: () => null,
        add: (a, v, t) => (v === null || v === undefined ? a : a === null || wins(t, (a as Exclude<Pick, null>).t) ? { v, t } : a),
        merge: (a, b) => (a === null ? b : b === null ? a : wins((b as Exclude<Pick, null>).t, (a as Exclude<Pick, null>).t) ? b : a),
        result: (a) => (a === null ? null : (a as Exclude<Pick, null>).v),
      };
    }
  }
}

function distinctKey(v: unknown): string {
  return typeof v === 'string' ? `s${v}` : `${typeof v}:${JSON.stringify(v)}`;
}
