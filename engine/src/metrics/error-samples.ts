/**
 * The first few distinct error messages of a node, each with how often it came: what `sluice run`
 * prints so that `errors 12` says why. Bounded: MAX_SAMPLES messages of at most
 * MAX_MESSAGE_CHARS, redacted when taken (docs/secrets.md), so a sample can go to Redis with a
 * task's counters and to a terminal as it is. Errors past the first messages are counted by the
 * node's `errors` counter only.
 */
import { redact } from '../secrets/redact.js';

export const MAX_SAMPLES = 3;
export const MAX_MESSAGE_CHARS = 200;
/** Raw messages remembered for the fast path (no redaction on a repeat); past it new ones are not looked at. */
const MAX_SEEN = 64;

export interface ErrorSample {
  message: string;
  count: number;
}

export class ErrorSamples {
  private readonly samples: ErrorSample[] = [];
  /** Raw message -> its sample, or null when it was not kept (the samples were full). */
  private readonly seen = new Map<string, ErrorSample | null>();

  constructor(restored: readonly ErrorSample[] = []) {
    for (const s of restored.slice(0, MAX_SAMPLES)) {
      const sample = { message: s.message, count: s.count };
      this.samples.push(sample);
      this.seen.set(s.message, sample);
    }
  }

  /** One more error. Cheap on a repeat: a map lookup; a new message is redacted once. */
  record(error: unknown): void {
    const raw = error instanceof Error ? error.message : String(error);
    const known = this.seen.get(raw);
    if (known) {
      known.count++;
      return;
    }
    if (known === null || this.seen.size >= MAX_SEEN) return;
    const message = clip(redact(raw));
    let sample = this.samples.find((s) => s.message === message);
    if (sample) sample.count++;
    else if (this.samples.length < MAX_SAMPLES) this.samples.push((sample = { message, count: 1 }));
    this.seen.set(raw, sample ?? null);
  }

  /** A copy, for a commit or a result. */
  list(): ErrorSample[] {
    return this.samples.map((s) => ({ ...s }));
  }
}

/**
 * Samples of one node from several places (partitions, tasks, the coordinator) as one list: the
 * same message summed, the most frequent MAX_SAMPLES kept (ties: first seen).
 */
export function mergeSamples(lists: readonly (readonly ErrorSample[])[]): ErrorSample[] {
  const byMessage = new Map<string, ErrorSample>();
  for (const list of lists)
    for (const s of list) {
      const m = byMessage.get(s.message);
      if (m) m.count += s.count;
      else byMessage.set(s.message, { message: s.message, count: s.count });
    }
  return [...byMessage.values()].sort((a, b) => b.count - a.count).slice(0, MAX_SAMPLES);
}

function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS - 1)}…` : oneLine;
}
