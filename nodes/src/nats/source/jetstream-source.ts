/**
 * source.nats, mode jetstream: reads a stream by sequence, like Flink's Kafka source reads a
 * partition by offset. The position is the last stream sequence read; the runtime checkpoints
 * it with the pipeline and seeks back to it after a restart, so the consumer is ephemeral (an
 * ordered consumer created at `position + 1`, deleted on close): no durable consumer, nothing
 * acknowledged, and any number of pipelines may read the same stream.
 *
 * A background loop fetches into a bounded buffer (message-buffer.ts) and asks the server only
 * for what fits, so the server keeps the rest; `poll` drains the buffer.
 */
import type { Consumer, ConsumerMessages, JetStreamClient, NatsConnection } from 'nats';
import type { SourceBatch, SourceOperator } from '../../sdk/operator.js';
import { describeError } from '../connect.js';
import type { SourceNatsConfig } from './definition.js';
import { MessageBuffer } from './message-buffer.js';
import type { BatchMaker } from './to-batch.js';

/** Messages asked for per fetch: bounds one pull request (and the buffer never overfills). */
const FETCH_MAX = 1_000;
/** How long one pull request waits on the server for messages; stop and seek cut it short. */
const FETCH_EXPIRES_MS = 5_000;
/** A read failing for longer than this (server away, JetStream unavailable) fails the run. */
const GIVE_UP_MS = 30_000;

export interface JetStreamSourceOptions {
  nc: NatsConnection;
  config: SourceNatsConfig & { stream: string };
  /** The last sequence read before the start (0: none; `latest`: the stream's last sequence). */
  at: number;
  batches: BatchMaker;
  /** `stream "ORDERS" at nats://...`, for messages. */
  target: string;
  nodeId: string;
}

export class JetStreamSource implements SourceOperator {
  private readonly js: JetStreamClient;
  private readonly buffer: MessageBuffer;
  /** The last stream sequence handed to the pipeline. */
  private at: number;
  /** Bumped by seek and close: a reader of an older generation stops and delivers nothing more. */
  private gen = 0;
  private reader: Promise<void> | undefined;
  private fetching: ConsumerMessages | undefined;
  /** The consumer had nothing left to deliver after the last message received (stopAtEnd). */
  private caughtUp = false;
  private failure: string | undefined;
  private closing = false;
  /** stopAtEnd reported done: later polls read nothing more. */
  private ended = false;

  constructor(private readonly o: JetStreamSourceOptions) {
    this.js = o.nc.jetstream();
    this.buffer = new MessageBuffer(o.config.maxBuffered);
    this.at = o.at;
    void o.nc.closed().then((err) => {
      if (!this.closing) this.fail(`lost the NATS server${err ? `: ${describeError(err)}` : ''}`);
    });
  }

  poll(max: number): SourceBatch {
    if (this.failure) throw new Error(this.failure);
    if (this.ended) return this.o.batches.make([], true);
    // Started at the first poll, not at creation: a restore seeks first, and the consumer is
    // then created once, at the right sequence.
    this.reader ??= this.read(this.gen, this.at);
    const messages = this.buffer.take(max);
    if (messages.length > 0) this.at = messages[messages.length - 1]!.seq!;
    const done = this.o.config.stopAtEnd && this.caughtUp && this.buffer.size === 0;
    if (done) {
      this.ended = true;
      void this.stopReader();
    }
    return this.o.batches.make(messages, done);
  }

  position(): number {
    return this.at;
  }

  async seek(position: unknown): Promise<void> {
    if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
      throw new Error(`cannot resume ${this.o.target} from ${JSON.stringify(position)}: not a stream sequence`);
    }
    await this.stopReader();
    this.buffer.clear();
    this.ended = false;
    this.at = position;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stopReader();
    await this.o.nc.close();
  }

  /** Ends the reader (it deletes its consumer) and waits for it. */
  private async stopReader(): Promise<void> {
    this.gen++;
    this.caughtUp = false;
    const reader = this.reader;
    this.reader = undefined;
    this.buffer.wake();
    this.fetching?.stop();
    await reader;
  }

  /**
   * Fetches messages after sequence `after` into the buffer until its generation ends. A failed
   * fetch (consumer deleted, server away) drops the consumer and makes a new one after the last
   * message received, for up to GIVE_UP_MS; a missing stream fails at once.
   */
  private async read(gen: number, after: number): Promise<void> {
    let received = after;
    let failingSince: number | undefined;
    while (gen === this.gen) {
      let consumer: Consumer | undefined;
      try {
        consumer = await this.consumerAfter(received);
        // What it has to deliver: a stream (or filter) with nothing after `received` is caught up.
        const info = await consumer.info();
        if (gen !== this.gen) break;
        this.caughtUp = info.num_pending === 0;
        while (gen === this.gen) {
          const room = await this.buffer.room();
          if (gen !== this.gen) break;
          const msgs = await consumer.fetch({ max_messages: Math.min(room, FETCH_MAX), expires: FETCH_EXPIRES_MS });
          this.fetching = msgs;
          for await (const m of msgs) {
            if (gen !== this.gen) break;
            this.buffer.push({ subject: m.subject, seq: m.seq, data: m.data });
            received = m.seq;
            this.caughtUp = m.info.pending === 0;
          }
          failingSince = undefined;
        }
      } catch (err) {
        if (gen !== this.gen || this.o.nc.isClosed()) break;
        failingSince ??= Date.now();
        if (isMissingStream(err) || Date.now() - failingSince > GIVE_UP_MS) {
          this.fail(`cannot read: ${describeError(err)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        // The ordered consumer would expire on the server anyway (after 5 min); deleting it
        // keeps the stream's consumer list clean.
        if (consumer && !this.o.nc.isClosed()) await consumer.delete().catch(() => undefined);
      }
    }
  }

  /** An ordered (ephemeral, unacknowledged) consumer starting right after sequence `seq`. */
  private consumerAfter(seq: number): Promise<Consumer> {
    const { stream, subject } = this.o.config;
    return this.js.consumers.get(stream, { ...(subject !== undefined ? { filterSubjects: subject } : {}), opt_start_seq: seq + 1 });
  }

  private fail(why: string): void {
    // The runtimes do not name the source when its poll fails: this message does.
    this.failure ??= `${this.o.nodeId}: ${this.o.target}: ${why}`;
  }
}

function isMissingStream(err: unknown): boolean {
  return err instanceof Error && /stream not found/i.test(err.message);
}
