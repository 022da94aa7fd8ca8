/**
 * For tests of the MQTT nodes (here and in test/connectors): a plain MQTT.js client on the real
 * broker, unique topics per run, and helpers to wait for messages. A broker that does not
 * answer fails the test with what to start, never skips it.
 */
import { randomUUID } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

/** For tests outside this package, which cannot resolve `mqtt` themselves. */
export type TestMqttClient = MqttClient;

export const TEST_BROKER_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A topic prefix no other run uses. */
export function uniqueTopic(name: string): string {
  return `sluice-test/${name}/${randomUUID()}`;
}

export async function testClient(options: IClientOptions = {}): Promise<MqttClient> {
  try {
    return await connectAsync(TEST_BROKER_URL, { connectTimeout: 5000, reconnectPeriod: 0, ...options }, false);
  } catch (err) {
    throw new Error(
      `the MQTT tests need a broker on ${TEST_BROKER_URL} (anonymous access): start Mosquitto (mosquitto -d) or set MQTT_URL. ${(err as Error).message}`,
    );
  }
}

export interface SeenMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Subscribes to `filter` and resolves with the first `count` messages, or fails after `timeoutMs`. */
export async function expectMessages(
  client: MqttClient,
  filter: string,
  count: number,
  timeoutMs = 5000,
): Promise<() => Promise<SeenMessage[]>> {
  const seen: SeenMessage[] = [];
  let wake: (() => void) | undefined;
  client.on('message', (topic, payload, packet) => {
    if (!matches(filter, topic)) return;
    seen.push({ topic, payload: payload.toString('utf8'), retain: packet.retain });
    if (seen.length >= count) wake?.();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return () =>
    new Promise((resolve, reject) => {
      if (seen.length >= count) return resolve(seen);
      const timer = setTimeout(
        () => reject(new Error(`${seen.length} of ${count} messages on ${filter} after ${timeoutMs} ms: ${JSON.stringify(seen)}`)),
        timeoutMs,
      );
      wake = () => {
        clearTimeout(timer);
        resolve(seen);
      };
    });
}

/** MQTT filter matching (+ one level, # the rest), for tests that share one client. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
