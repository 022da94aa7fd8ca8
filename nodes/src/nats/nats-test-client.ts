/**
 * For tests of the NATS nodes (here and in test/connectors): a plain nats.js connection to the
 * real server, streams with unique names (deleted afterwards), and helpers to wait for
 * messages. A server that does not answer fails the test with what to start, never skips it.
 */
import { randomUUID } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection, StringCodec } from 'nats';

export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const sc = StringCodec();

export class TestNats {
  private readonly streams: string[] = [];

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {}

  static async open(): Promise<TestNats> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: TEST_NATS_URL, timeout: 5_000, maxReconnectAttempts: 0 });
    } catch (err) {
      throw new Error(
        `the NATS tests need a server with JetStream on ${TEST_NATS_URL} (no auth): start one (nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/nats) or set NATS_URL. ${(err as Error).message}`,
      );
    }
    try {
      return new TestNats(nc, await nc.jetstreamManager());
    } catch (err) {
      await nc.close();
      throw new Error(`the NATS server on ${TEST_NATS_URL} has no JetStream: start it with -js. ${(err as Error).message}`);
    }
  }

  /** A stream named uniquely for this run, taking `<prefix>.>`: returns its name and subject prefix. */
  async stream(name: string): Promise<{ stream: string; prefix: string }> {
    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    const stream = `SLUICE_TEST_${name.toUpperCase()}_${id}`;
    const prefix = `sluice-test.${name}.${id}`;
    await this.jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
    this.streams.push(stream);
    return { stream, prefix };
  }

  /** Publishes to JetStream and returns the stream sequence. */
  async add(subject: string, payload: string | object): Promise<number> {
    const ack = await this.nc.jetstream().publish(subject, sc.encode(typeof payload === 'string' ? payload : JSON.stringify(payload)));
    return ack.seq;
  }

  /** Core publish (no stream needed), flushed: the server has it. */
  async publish(subject: string, payload: string | object): Promise<void> {
    this.nc.publish(subject, sc.encode(typeof payload === 'string' ? payload : JSON.stringify(payload)));
    await this.nc.flush();
  }

  /** Every message of `stream` in order: subject, payload text and the Nats-Msg-Id header. */
  async messages(stream: string): Promise<{ subject: string; payload: string; msgId?: string }[]> {
    const info = await this.jsm.streams.info(stream);
    const out: { subject: string; payload: string; msgId?: string }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await this.jsm.streams.getMessage(stream, { seq });
      const msgId = m.header?.get('Nats-Msg-Id');
      out.push({ subject: m.subject, payload: sc.decode(m.data), ...(msgId ? { msgId } : {}) });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.streams) await this.jsm.streams.delete(s).catch(() => undefined);
    await this.nc.close();
  }
}
