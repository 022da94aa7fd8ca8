/**
 * sink.nats: publishes each event as JSON. Messages go out from `process` as they come (no wait
 * for the runtime's next flush); with JetStream each publish is a request the stream answers
 * with a PubAck, and `flush` waits for all of them, so a batch the runtime commits after `flush`
 * is one the stream has. Core NATS: `flush` is a round trip (PING/PONG), so the server has read
 * everything sent before it; what it does with it is up to the subscribers that are there.
 */
import type { Event } from '@sluice/shared';
import type { JetStreamClient, NatsConnection } from 'nats';
import type { Collector, OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { connectNats, describeError, describeJetStreamError, natsSecrets } from '../connect.js';
import type { SinkNatsConfig } from './definition.js';
import { compileTemplate, isFixedTemplate } from '../../sdk/template.js';
import { SUBJECT_TEMPLATE } from '../subject-template.js';

/** How long the stream may take to acknowledge one message before the run fails. */
export const ACK_TIMEOUT_MS = 30_000;

const utf8 = new TextEncoder();

export const sinkNatsOperator: OperatorFactory<SinkNatsConfig> = async (ctx) => {
  const c = ctx.config;
  // Before connecting: a missing secret fails the start naming it, not as a server refusal.
  const secrets = natsSecrets(c, (name) => ctx.secret(name));
  const nc = await connectNats({ url: c.url, username: c.username, ...secrets, name: `sluice ${ctx.nodeId}` });
  const subjectOf = compileTemplate(c.subject, SUBJECT_TEMPLATE);
  if (c.jetstream) {
    try {
      await checkStream(nc, c);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }
  return new NatsSink(nc, subjectOf, c, ctx.nodeId);
};

/**
 * A fixed subject can be checked at the start: some stream must take it (else every publish
 * fails). The name of that stream; undefined for a template (subjects are known per event only).
 */
export async function checkStream(nc: NatsConnection, c: SinkNatsConfig): Promise<string | undefined> {
  if (!isFixedTemplate(c.subject)) return undefined;
  const subject = compileTemplate(c.subject, SUBJECT_TEMPLATE)({});
  try {
    const jsm = await nc.jetstreamManager();
    return await jsm.streams.find(subject);
  } catch (err) {
    const why = describeJetStreamError(err);
    if (/no stream matches/i.test(why))
      throw new Error(
        `cannot publish to subject ${subject} at ${c.url}: no JetStream stream takes that subject (create one, or set jetstream false)`,
      );
    throw new Error(`cannot publish to subject ${subject} at ${c.url}: ${why}`);
  }
}

class NatsSink implements SinkOperator {
  private readonly js: JetStreamClient;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: string | undefined;
  private closing = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjectOf: (event: Readonly<Record<string, unknown>>) => string,
    private readonly config: SinkNatsConfig,
    private readonly nodeId: string,
  ) {
    this.js = nc.jetstream({ timeout: ACK_TIMEOUT_MS });
    void nc.closed().then((err) => {
      if (!this.closing) this.fail(`lost the NATS server ${config.url}${err ? `: ${describeError(err)}` : ''}`);
    });
  }

  process(batch: readonly Event[], out: Collector): void {
    // The runtime names the node of a failure thrown here.
    if (this.failure) throw new Error(this.failure);
    const { jetstream, dedupField } = this.config;
    for (const event of batch) {
      let subject: string;
      try {
        subject = this.subjectOf(event);
      } catch (err) {
        // One event without its subject field must not stop the others (and never goes to a
        // wrong subject): counted as an error of this node; sinks have no error port.
        out.error(event, err);
        continue;
      }
      const data = utf8.encode(JSON.stringify(event));
      if (!jetstream) {
        this.nc.publish(subject, data);
        continue;
      }
      const msgID = dedupField === undefined ? undefined : messageId(event[dedupField]);
      const sent: Promise<void> = this.js.publish(subject, data, msgID === undefined ? {} : { msgID }).then(
        () => {
          this.inFlight.delete(sent);
        },
        (err: unknown) => {
          this.inFlight.delete(sent);
          this.fail(`cannot publish to subject ${subject} at ${this.config.url}: ${publishError(err)}`);
        },
      );
      this.inFlight.add(sent);
    }
  }

  async flush(): Promise<void> {
    this.throwFromFlush();
    // Each publish has its own timeout (ACK_TIMEOUT_MS): this settles.
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    else if (!this.config.jetstream) {
      try {
        await this.nc.flush();
      } catch (err) {
        this.fail(`cannot publish to ${this.config.url}: ${describeError(err)}`);
      }
    }
    this.throwFromFlush();
  }

  /** A failure surfacing from flush (at the end of a run) is not wrapped with the node by the runtime. */
  private throwFromFlush(): void {
    if (this.failure) throw new Error(`${this.nodeId}: ${this.failure}`);
  }

  private fail(message: string): void {
    this.failure ??= message;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.nc.isClosed()) return;
    // drain: what was published is sent before the connection closes.
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** The Nats-Msg-Id from the dedup field: a string or number; otherwise none (published without). */
function messageId(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A 503 on a JetStream publish means no stream takes the subject. */
function publishError(err: unknown): string {
  const why = describeError(err);
  return (err as { code?: unknown }).code === '503' ? `no JetStream stream takes the subject (${why})` : why;
}
