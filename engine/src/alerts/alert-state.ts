/**
 * One alert rule's state, as Prometheus keeps it: ok, pending (the condition holds, not yet
 * for `for`), firing. A transition to firing, and from firing back to ok (resolved), is what
 * gets notified.
 */
export type AlertPhase = 'ok' | 'pending' | 'firing';

export interface AlertState {
  phase: AlertPhase;
  /** When the condition started to hold (pending and firing). */
  since?: number;
  /** The last measured value. */
  value?: number;
  /** When it was measured (absent until a measure gave a value). */
  measuredAt?: number;
}

export type Transition = 'firing' | 'resolved';

export function step(
  s: AlertState,
  measured: { value: number; holds: boolean } | undefined,
  now: number,
  forMs: number,
): { next: AlertState; transition?: Transition } {
  const value = measured?.value;
  const withValue = (x: AlertState): AlertState => (value === undefined ? x : { ...x, value, measuredAt: now });
  if (!measured?.holds) {
    const next = withValue({ phase: 'ok' });
    return s.phase === 'firing' ? { next, transition: 'resolved' } : { next };
  }
  const since = s.phase === 'ok' ? now : s.since!;
  if (now - since >= forMs)
    return s.phase === 'firing'
      ? { next: withValue({ phase: 'firing', since }) }
      : { next: withValue({ phase: 'firing', since }), transition: 'firing' };
  return { next: withValue({ phase: 'pending', since }) };
}
