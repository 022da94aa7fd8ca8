/** Polling a source in connector tests, waiting on a condition rather than a fixed time. */
import type { SourceBatch, SourceOperator } from '../operator.js';

export type Polled = Required<Pick<SourceBatch, 'events' | 'errors'>> & { done: boolean };

/**
 * Polls `source` until it has returned `count` events and errors together, or reports done, or
 * fails after `timeoutMs`.
 */
export async function pollUntil(source: SourceOperator, count: number, timeoutMs = 5000, max = 1000): Promise<Polled> {
  const events: SourceBatch['events'] = [];
  const errors: NonNullable<SourceBatch['errors']> = [];
  const deadline = Date.now() + timeoutMs;
  let done = false;
  while (events.length + errors.length < count && !done) {
    if (Date.now() > deadline) throw new Error(`${events.length} events and ${errors.length} errors of ${count} after ${timeoutMs} ms`);
    // Never more than asked for in all: what is left stays for the next poll (a test that reads
    // 3, checkpoints, then reads on must not get the 4th in its first 3).
    const b = await source.poll(Math.min(max, count - events.length - errors.length));
    events.push(...b.events);
    errors.push(...(b.errors ?? []));
    done = b.done;
    if (b.events.length === 0 && !b.errors?.length) await sleep(10);
  }
  return { events, errors, done };
}

/** Polls until the source reports done, or fails after `timeoutMs`. */
export async function pollToEnd(source: SourceOperator, timeoutMs = 5000, max = 1000): Promise<Polled> {
  return pollUntil(source, Number.POSITIVE_INFINITY, timeoutMs, max);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
