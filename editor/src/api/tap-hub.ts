/**
 * One server-sent-events connection per tapped edge, shared by every panel that shows it, and
 * at most MAX_OPEN_TAPS of them: a browser opens only 6 HTTP/1.1 connections to a server, and
 * the metrics stream and ordinary calls need theirs. Subscribers past the limit are told they
 * wait (`onState(false)`) and get a connection when one is freed.
 */
import { type MaskedField, subscribeTap } from './client';

export const MAX_OPEN_TAPS = 3;

type Listener = (events: Record<string, unknown>[]) => void;

interface Tap {
  pipelineId: string;
  edgeId: string;
  listeners: Set<Listener>;
  states: Map<Listener, (open: boolean) => void>;
  /** Who wants to hear which fields the server masks on this edge, and what it last said. */
  maskListeners: Map<Listener, (fields: MaskedField[]) => void>;
  masked: MaskedField[] | undefined;
  close: (() => void) | undefined;
}

const taps = new Map<string, Tap>();
/** Keys in subscription order: the first MAX_OPEN_TAPS get connections. */
const order: string[] = [];

function reconcile(): void {
  order.forEach((key, i) => {
    const tap = taps.get(key)!;
    const shouldOpen = i < MAX_OPEN_TAPS;
    if (shouldOpen && !tap.close) {
      tap.close = subscribeTap(
        tap.pipelineId,
        tap.edgeId,
        (events) => {
          for (const l of tap.listeners) l(events);
        },
        (fields) => {
          tap.masked = fields;
          for (const m of tap.maskListeners.values()) m(fields);
        },
      );
      for (const s of tap.states.values()) s(true);
    } else if (!shouldOpen && tap.close) {
      tap.close();
      tap.close = undefined;
      for (const s of tap.states.values()) s(false);
    }
  });
}

/** Listen to an edge of a running pipeline; `onState` says whether its connection is open. Returns the unsubscribe. */
export function tapEdge(
  pipelineId: string,
  edgeId: string,
  listener: Listener,
  onState: (open: boolean) => void = () => undefined,
  onMasked?: (fields: MaskedField[]) => void,
): () => void {
  const key = `${pipelineId}\u0000${edgeId}`;
  let tap = taps.get(key);
  if (!tap) {
    tap = { pipelineId, edgeId, listeners: new Set(), states: new Map(), maskListeners: new Map(), masked: undefined, close: undefined };
    taps.set(key, tap);
    order.push(key);
  }
  tap.listeners.add(listener);
  tap.states.set(listener, onState);
  if (onMasked) {
    tap.maskListeners.set(listener, onMasked);
    if (tap.masked) onMasked(tap.masked);
  }
  onState(tap.close !== undefined);
  reconcile();
  const t = tap;
  return () => {
    t.listeners.delete(listener);
    t.states.delete(listener);
    t.maskListeners.delete(listener);
    if (t.listeners.size > 0) return;
    t.close?.();
    taps.delete(key);
    order.splice(order.indexOf(key), 1);
    reconcile();
  };
}
