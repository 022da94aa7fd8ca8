/**
 * source.mqtt: MQTT.js pushes messages into a bounded buffer (message-buffer.ts); `poll` drains
 * it and stamps events as every source does (event time, ingest time, the watermark when
 * behind). Unbounded: `done` is never true, and an empty batch means nothing arrived yet.
 */
import { durationMs, type Event } from '@sluice/shared';
import type { ISubscriptionGrant, MqttClient } from 'mqtt';
import type { SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { RecordClock } from '../../sdk/source-time.js';
import { connectMqtt, describeError, isRefusal } from '../connect.js';
import { type MessageDecoder, messageDecoder } from '../../sdk/decode-message.js';
import type { SourceMqttConfig } from './definition.js';
import { MessageBuffer } from './message-buffer.js';

export const sourceMqttOperator: SourceFactory<SourceMqttConfig> = async (ctx) => {
  const c = ctx.config;
  // Before connecting: a missing secret fails the start naming it, not as a broker refusal.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const buffer = new MessageBuffer(c.maxBuffered);
  let fatal: string | undefined;

  const client = await connectMqtt({
    url: c.url,
    username: c.username,
    password,
    clientId: c.clientId,
    clean: c.cleanSession,
    // Installed before the CONNECT: a resumed session's queued messages arrive right after the
    // CONNACK, before any subscribe, and must not pass by the buffer.
    prepare: (client) => {
      client.handleMessage = (packet, callback) =>
        buffer.offer({ topic: packet.topic, payload: toBuffer(packet.payload) }, () => callback());
      client.on('close', () => buffer.forgetHeld());
      client.on('error', (err) => {
        // Network errors are retried by MQTT.js; a refusal (credentials revoked) never heals.
        if (isRefusal(err)) fatal = `MQTT broker ${c.url} refused the connection: ${describeError(err)}`;
      });
    },
  });
  try {
    await subscribe(client, c.topics, c.qos);
  } catch (err) {
    await client.endAsync(true);
    throw new Error(`${c.url}: ${(err as Error).message}`);
  }
  return new MqttSource(client, buffer, c, ctx.now, () => fatal);
};

/** Subscribes to `topics`; the broker's grants, or an error naming the filters it refused. */
export async function subscribe(client: MqttClient, topics: readonly string[], qos: 0 | 1 | 2): Promise<ISubscriptionGrant[]> {
  const grants = await client.subscribeAsync(Object.fromEntries(topics.map((t) => [t, { qos }])));
  // 128 in a SUBACK: the broker refused that filter (an ACL, say). Silence would look like an idle topic.
  const refused = grants.filter((g) => g.qos === 128).map((g) => g.topic);
  if (refused.length > 0) throw new Error(`the broker refused the subscription to ${refused.map((t) => `"${t}"`).join(', ')}`);
  return grants;
}

function toBuffer(payload: Buffer | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

class MqttSource implements SourceOperator {
  private readonly clock: RecordClock;
  private readonly decode: MessageDecoder;

  constructor(
    private readonly client: MqttClient,
    private readonly buffer: MessageBuffer,
    config: SourceMqttConfig,
    private readonly now: () => number,
    private readonly fatal: () => string | undefined,
  ) {
    this.clock = new RecordClock(config.timeField, durationMs(config.maxOutOfOrderness));
    this.decode = messageDecoder({ field: 'topic', noun: 'topic' }, { format: config.format, includeAddress: config.includeTopic });
  }

  poll(max: number): SourceBatch {
    const fatal = this.fatal();
    if (fatal) throw new Error(fatal);
    const messages = this.buffer.take(max);
    const now = this.now();
    const events: Event[] = [];
    const errors: { event: Event; error: string }[] = [];
    for (const m of messages) {
      const d = this.decode(m.topic, m.payload);
      if ('error' in d) {
        errors.push(d);
        continue;
      }
      const why = this.clock.stampRecord(d.record, now);
      if (why === undefined) events.push(d.record as Event);
      else errors.push({ event: d.record as Event, error: `topic ${m.topic}: ${why}` });
    }
    return { events, watermark: this.clock.watermarkAt(now), done: false, ...(errors.length > 0 ? { errors } : {}) };
  }

  async close(): Promise<void> {
    // Not forced: the DISCONNECT tells the broker this was on purpose. A message whose ack is
    // still held stays unacknowledged, so a resumed session gets it again.
    await this.client.endAsync();
  }
}
