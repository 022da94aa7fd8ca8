/**
 * sink.mqtt: publishes each event as JSON. Messages go out from `process` (no wait for the
 * runtime's next flush) and `flush` waits
 * until the broker acknowledged all of them (QoS 1/2): a batch is done only when the broker
 * has it. A failed publish, or a broker gone for longer than ACK_TIMEOUT_MS, fails the run
 * naming the node and the URL.
 */
import type { Event } from '@sluice/shared';
import type { MqttClient } from 'mqtt';
import type { Collector, OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { connectMqtt, describeError, isRefusal } from '../connect.js';
import type { SinkMqttConfig } from './definition.js';
import { compileTemplate } from '../../sdk/template.js';
import { TOPIC_TEMPLATE } from '../topic-template.js';

/** How long the broker may take to acknowledge, or stay unreachable, before the run fails. */
export const ACK_TIMEOUT_MS = 30_000;

export const sinkMqttOperator: OperatorFactory<SinkMqttConfig> = async (ctx) => {
  const c = ctx.config;
  // Before connecting: a missing secret fails the start naming it, not as a broker refusal.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const client = await connectMqtt({ url: c.url, username: c.username, password });
  return new MqttSink(client, ctx.nodeId, c, ctx.now);
};

class MqttSink implements SinkOperator {
  private readonly topicOf: (event: Readonly<Record<string, unknown>>) => string;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: string | undefined;
  /** When the connection dropped (MQTT.js reconnects meanwhile and queues what we publish). */
  private offlineSince: number | undefined;
  private lastError = '';

  constructor(
    private readonly client: MqttClient,
    private readonly nodeId: string,
    private readonly config: SinkMqttConfig,
    private readonly now: () => number,
  ) {
    this.topicOf = compileTemplate(config.topic, TOPIC_TEMPLATE);
    client.on('close', () => (this.offlineSince ??= now()));
    client.on('connect', () => (this.offlineSince = undefined));
    client.on('error', (err) => {
      this.lastError = describeError(err);
      if (isRefusal(err)) this.fail(`the MQTT broker ${config.url} refused the connection: ${this.lastError}`);
    });
  }

  process(batch: readonly Event[], out: Collector): void {
    // The runtime names the node of a failure thrown here.
    const failure = this.check();
    if (failure) throw new Error(failure);
    const { qos, retain } = this.config;
    for (const event of batch) {
      let topic: string;
      try {
        topic = this.topicOf(event);
      } catch (err) {
        // One event without its topic field must not stop the others (and never goes to a
        // wrong topic): counted as an error of this node; sinks have no error port.
        out.error(event, err);
        continue;
      }
      const sent: Promise<void> = this.client.publishAsync(topic, JSON.stringify(event), { qos, retain }).then(
        () => {
          this.inFlight.delete(sent);
        },
        (err: Error) => {
          this.inFlight.delete(sent);
          this.fail(`cannot publish to the MQTT broker ${this.config.url} (topic ${topic}): ${describeError(err)}`);
        },
      );
      this.inFlight.add(sent);
    }
  }

  async flush(): Promise<void> {
    this.throwFromFlush();
    if (this.inFlight.size > 0) {
      const pending = this.inFlight.size;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ACK_TIMEOUT_MS)));
      const settled = await Promise.race([Promise.all([...this.inFlight]), timeout]);
      clearTimeout(timer);
      if (settled === 'timeout') {
        const why = this.offlineSince === undefined ? 'no acknowledgement' : `disconnected${this.lastError ? ` (${this.lastError})` : ''}`;
        this.fail(`the MQTT broker ${this.config.url} did not acknowledge ${pending} messages within ${ACK_TIMEOUT_MS / 1000}s: ${why}`);
      }
    }
    this.throwFromFlush();
  }

  /** The first failure, also when the broker has been away too long to wait for. */
  private check(): string | undefined {
    if (this.failure === undefined && this.offlineSince !== undefined && this.now() - this.offlineSince > ACK_TIMEOUT_MS) {
      this.fail(
        `lost the MQTT broker ${this.config.url} ${Math.round((this.now() - this.offlineSince) / 1000)}s ago${this.lastError ? `: ${this.lastError}` : ''}`,
      );
    }
    return this.failure;
  }

  /** A failure surfacing from flush (at the end of a run) is not wrapped with the node by the runtime. */
  private throwFromFlush(): void {
    const failure = this.check();
    if (failure) throw new Error(`${this.nodeId}: ${failure}`);
  }

  private fail(message: string): void {
    this.failure ??= message;
  }

  async close(): Promise<void> {
    // Forced only when the broker is gone: a graceful end would wait for it.
    await this.client.endAsync(this.failure !== undefined || this.offlineSince !== undefined);
  }
}
