/**
 * The anomaly operator. Declared state, so the runtime snapshots and restores it (and BullMQ
 * commits it with the batch): keyed `history`, state key -> the key's ring of recent values
 * (robust_z) or its weighted mean and variance (ewma).
 */
import { type Event, fieldReader } from '@sluice/shared';
import { keyFunction } from '../sdk/state-key.js';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { KeyedState } from '../sdk/state.js';
import type { AnomalyConfig } from './definition.js';
import { type EwmaHistory, ewmaScore, pushEwma, pushRing, type RingHistory, robustZ, roundScore, type Score } from './scorers.js';

/** A value the node cannot score: its `error` port carries the event with this message. */
export class AnomalyValueError extends Error {
  readonly code = 'anomaly-bad-value';
}

export const anomalyOperator: OperatorFactory<AnomalyConfig> = (ctx) => {
  const c = ctx.config;
  const keyOf = keyFunction(c.keyBy);
  const read = fieldReader(c.field);
  const flags = flagTest(c.direction, c.threshold);
  const score =
    c.method === 'robust_z'
      ? robustScorer(ctx.state.keyed<RingHistory>('history'), c)
      : ewmaScorer(ctx.state.keyed<EwmaHistory>('history'), c);

  const op: Operator = {
    // `out` gets each input event once; the anomaly port gets new objects.
    passesOwnership: true,
    process(batch, out: Collector) {
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        const x = read(e);
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          out.error(e, new AnomalyValueError(`${c.field} is ${describe(x)}, not a finite number`));
          continue;
        }
        const s = score(keyOf(e), x);
        out.emit(e);
        if (s !== undefined && flags(s.score)) {
          out.emitTo('anomaly', { ...e, [c.scoreField]: roundScore(s.score), [c.expectedField]: s.expected } as Event);
        }
      }
    },
  };
  return op;
};

type Scorer = (key: string, x: number) => Score | undefined;

function robustScorer(state: KeyedState<RingHistory>, c: AnomalyConfig): Scorer {
  return (key, x) => {
    let h = state.get(key);
    if (h === undefined) state.set(key, (h = { v: [], at: 0 }));
    const s = h.v.length >= c.minHistory ? robustZ(h.v, x) : undefined;
    pushRing(h, x, c.history);
    return s;
  };
}

function ewmaScorer(state: KeyedState<EwmaHistory>, c: AnomalyConfig): Scorer {
  return (key, x) => {
    const h = state.get(key);
    const s = h !== undefined && h.n >= c.minHistory ? ewmaScore(h, x) : undefined;
    const next = pushEwma(h, x, c.alpha);
    if (next !== h) state.set(key, next);
    return s;
  };
}

function flagTest(direction: AnomalyConfig['direction'], threshold: number): (score: number) => boolean {
  if (direction === 'high') return (s) => s > threshold;
  if (direction === 'low') return (s) => s < -threshold;
  return (s) => Math.abs(s) > threshold;
}

/** The kind of a value, never the value itself: an error message must not leak a personal field. */
function describe(v: unknown): string {
  if (v === undefined || v === null) return 'missing or null';
  if (typeof v === 'number') return String(v); // NaN or Infinity
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? 'a text' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
