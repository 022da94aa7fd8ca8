/**
 * sink.http: requests are built in `process` and sent in the background, `concurrency` at a
 * time; `flush` waits until each one is delivered or given up, so a batch the runtime commits
 * after `flush` is one the receiver has (or one on the error port). A crash before that commit
 * sends the batch again with the same idempotency keys: the receiver can drop the repeats.
 */
import { createHash } from 'node:crypto';
import type { Event } from '@sluice/shared';
import type { Collector, OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import type { SinkHttpConfig } from './definition.js';
import { type Answer, fullJitter, sendRequest } from '../../sdk/http-request.js';
import { type TargetGuard, TargetRefused, targetGuard } from '../../sdk/target-guard.js';

/** What the receiver may answer and still take the request later. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly code: 'http-refused' | 'http-gave-up' | 'http-target-refused' | 'http-too-large',
  ) {
    super(message);
  }
}

interface Request {
  events: readonly Event[];
  body: Buffer;
  key: string;
}

export const sinkHttpOperator: OperatorFactory<SinkHttpConfig> = (ctx) => {
  const c = ctx.config;
  const url = new URL(c.url);
  // Read at start: a missing secret fails the deploy, naming it.
  const headers: Record<string, string> = { ...c.headers };
  for (const [name, secret] of Object.entries(c.headerSecrets)) headers[name] = ctx.secret(secret);
  return new HttpSink(url, headers, c, ctx.nodeId, targetGuard());
};

export class HttpSink implements SinkOperator {
  private readonly queue: Request[] = [];
  private running = 0;
  private readonly failed: { event: Event; error: DeliveryError }[] = [];
  private idle: (() => void)[] = [];
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    private readonly c: SinkHttpConfig,
    private readonly nodeId: string,
    private readonly guard: TargetGuard,
    /** Injectable for tests: the wait before retry `attempt` (1-based). */
    private readonly random: () => number = Math.random,
  ) {}

  process(batch: readonly Event[], out: Collector): void {
    this.emitFailures(out);
    const per = this.c.mode === 'single' ? 1 : this.c.batchSize;
    let start = 0;
    while (start < batch.length) {
      const { request, next } = this.cut(batch, start, per, out);
      if (request) this.queue.push(request);
      start = next;
    }
    this.pump();
  }

  async flush(out?: Collector): Promise<void> {
    if (this.running > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idle.push(r));
    if (out) this.emitFailures(out);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  /**
   * The next request from `start`: up to `per` events whose JSON array fits maxBytes. An event
   * that alone exceeds it goes to the error port.
   */
  private cut(batch: readonly Event[], start: number, per: number, out: Collector): { request?: Request; next: number } {
    const max = this.c.maxBytes;
    const parts: string[] = [];
    let bytes = 2; // []
    let i = start;
    for (; i < batch.length && parts.length < per; i++) {
      const json = JSON.stringify(batch[i]);
      const size = Buffer.byteLength(json) + (parts.length > 0 ? 1 : 0);
      if (bytes + size > max) {
        if (parts.length > 0) break;
        out.error(
          batch[i]!,
          new DeliveryError(`the event is ${Buffer.byteLength(json)} bytes as JSON, over maxBytes ${max}`, 'http-too-large'),
        );
        return { next: i + 1 };
      }
      parts.push(json);
      bytes += size;
    }
    const events = batch.slice(start, i);
    const body = Buffer.from(this.c.mode === 'single' ? parts[0]! : `[${parts.join(',')}]`);
    return { request: { events, body, key: this.keyOf(events, parts) }, next: i };
  }

  /** The idempotency key: the same for the same events on every try and every replay. */
  private keyOf(events: readonly Event[], json: readonly string[]): string {
    const keys = events.map((e, i) => this.eventKey(e, json[i]!));
    if (keys.length === 1) return keys[0]!;
    return createHash('sha256')
      .update(`${this.nodeId}\0${keys.join('\n')}`)
      .digest('hex')
      .slice(0, 32);
  }

  private eventKey(e: Event, json: string): string {
    const f = this.c.idempotencyField;
    if (f !== undefined) {
      const v = (e as Record<string, unknown>)[f];
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    }
    return createHash('sha256').update(`${this.nodeId}\0${json}`).digest('hex').slice(0, 32);
  }

  private pump(): void {
    while (this.running < this.c.concurrency && this.queue.length > 0) {
      const r = this.queue.shift()!;
      this.running++;
      void this.deliver(r).finally(() => {
        this.running--;
        if (this.running === 0 && this.queue.length === 0) {
          const waiting = this.idle;
          this.idle = [];
          for (const w of waiting) w();
        } else this.pump();
      });
    }
  }

  private async deliver(r: Request): Promise<void> {
    const headers = { ...this.headers, [this.c.idempotencyHeader]: r.key };
    let why = '';
    for (let attempt = 1; attempt <= this.c.maxAttempts; attempt++) {
      let answer: Answer | undefined;
      try {
        answer = await sendRequest(this.url, {
          method: this.c.method,
          headers,
          body: r.body,
          timeoutMs: this.c.timeout,
          guard: this.guard,
        });
      } catch (err) {
        if (err instanceof TargetRefused) return this.give(r, new DeliveryError(`${this.where()}: ${err.message}`, 'http-target-refused'));
        why = (err as Error).message;
      }
      if (answer) {
        if (answer.status >= 200 && answer.status < 300) return;
        const said = `HTTP ${answer.status}${answer.text ? ` ${JSON.stringify(answer.text.slice(0, 80))}` : ''}`;
        if (!RETRYABLE.has(answer.status)) return this.give(r, new DeliveryError(`${this.where()} answered ${said}`, 'http-refused'));
        why = `answered ${said}`;
      }
      if (attempt === this.c.maxAttempts || this.closed) break;
      await this.wait(this.backoff(attempt, answer?.retryAfterMs));
    }
    this.give(r, new DeliveryError(`${this.where()}: ${why} (gave up after ${this.c.maxAttempts} tries)`, 'http-gave-up'));
  }

  backoff(attempt: number, retryAfterMs?: number): number {
    return fullJitter(attempt, this.c.backoff, this.c.maxBackoff, this.random, retryAfterMs);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private give(r: Request, error: DeliveryError): void {
    for (const event of r.events) this.failed.push({ event, error });
  }

  private emitFailures(out: Collector): void {
    if (this.failed.length === 0) return;
    const list = this.failed.splice(0);
    for (const f of list) out.error(f.event, f.error);
  }

  /** The URL without its query (which may hold a token someone put there anyway). */
  private where(): string {
    return `${this.c.method} ${this.url.origin}${this.url.pathname}`;
  }
}
