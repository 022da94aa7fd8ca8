/**
 * "Check connection" for source.mqtt and sink.mqtt (ConnectionCheck, sdk/operator.ts): connects
 * as the node would, with a fresh random client id and a clean session, never the configured
 * clientId (the broker would disconnect a running pipeline that uses it, and a persistent
 * session of that id must keep its queued messages). The source's check subscribes to its topic
 * filters, as the node does at start, so a filter the broker refuses fails here; the clean
 * session ends with the check, and messages the broker sends meanwhile (retained ones) are
 * copies nobody else misses. Shared subscriptions ($share/...) are not tried: joining the group
 * would take messages from the pipelines in it.
 */
import type { MqttClient } from 'mqtt';
import { type CheckDeadline, CHECK_TIMEOUT_MS, withinDeadline } from '../sdk/check-deadline.js';
import type { OperatorContext } from '../sdk/operator.js';
import type { SinkMqttConfig } from './sink/definition.js';
import { connectMqtt } from './connect.js';
import type { SourceMqttConfig } from './source/definition.js';
import { subscribe } from './source/operator.js';

export async function checkMqttSource(ctx: OperatorContext<SourceMqttConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  const password = readPassword(ctx);
  return withinDeadline(
    c.url,
    async (deadline) => {
      const client = await connectForCheck(c, password, deadline);
      try {
        const shared = c.topics.filter(isShared);
        const plain = c.topics.filter((t) => !isShared(t));
        let said = '';
        if (plain.length > 0) {
          let grants: Awaited<ReturnType<typeof subscribe>>;
          try {
            grants = await subscribe(client, plain, c.qos);
          } catch (err) {
            // The start's message (source-mqtt/operator.ts).
            throw new Error(`${c.url}: ${(err as Error).message}`);
          }
          const lower = grants.filter((g) => g.qos < c.qos);
          said = `; the broker accepts the subscription to ${plain.join(', ')} at QoS ${c.qos}`;
          if (lower.length > 0) said += ` (granted only QoS ${lower.map((g) => `${g.qos} for ${g.topic}`).join(', ')})`;
        }
        if (shared.length > 0)
          said += `; shared subscription ${shared.join(', ')} not tried (the check would take messages from its group)`;
        return `connected to ${c.url}${userOf(c)}${said}`;
      } finally {
        await close(client);
      }
    },
    timeoutMs,
  );
}

export async function checkMqttSink(ctx: OperatorContext<SinkMqttConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  const password = readPassword(ctx);
  return withinDeadline(
    c.url,
    async (deadline) => {
      const client = await connectForCheck(c, password, deadline);
      await close(client);
      // Nothing is published: MQTT tells nothing about a topic (or the right to publish to it) before a message.
      return `connected to ${c.url}${userOf(c)}; will publish to ${c.topic} at QoS ${c.qos} (not tried: a check publishes nothing)`;
    },
    timeoutMs,
  );
}

/** Before connecting, as at the start: a missing secret fails naming it, not as a broker refusal. */
function readPassword(ctx: OperatorContext<{ passwordSecret?: string | undefined }>): string | undefined {
  const name = ctx.config.passwordSecret;
  return name === undefined ? undefined : ctx.secret(name);
}

function connectForCheck(
  c: { url: string; username?: string | undefined },
  password: string | undefined,
  deadline: CheckDeadline,
): Promise<MqttClient> {
  // No clientId: MQTT.js makes a random one; clean session: the broker keeps nothing after.
  return connectMqtt({
    url: c.url,
    username: c.username,
    password,
    clean: true,
    prepare: (client) => deadline.onExpire(() => client.end(true)),
  });
}

async function close(client: MqttClient): Promise<void> {
  // Not forced: the DISCONNECT ends the clean session at once.
  await client.endAsync().catch(() => client.end(true));
}

function isShared(filter: string): boolean {
  return filter.startsWith('$share/') || filter.startsWith('$queue/');
}

function userOf(c: { username?: string | undefined }): string {
  return c.username === undefined ? '' : ` as ${c.username}`;
}
