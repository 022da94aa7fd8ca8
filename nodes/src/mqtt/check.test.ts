import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testContext } from '../sdk/testing/index.js';
import { sinkMqttDefinition } from './sink/definition.js';
import { checkMqttSink, checkMqttSource } from './check.js';
import { sourceMqttDefinition } from './source/definition.js';
import { guardedBroker } from './guarded-broker.js';
import { expectMessages, TEST_BROKER_URL, testClient, uniqueTopic } from './mqtt-test-client.js';

let observer: MqttClient;
const others: MqttClient[] = [];

beforeAll(async () => {
  observer = await testClient();
});

afterAll(async () => {
  for (const c of others) await c.endAsync(true);
  await observer?.endAsync();
});

function sourceCtx(config: Record<string, unknown>, secrets?: Record<string, string>) {
  return testContext({
    nodeId: 'readings',
    config: sourceMqttDefinition.config.parse({ url: TEST_BROKER_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
}

function sinkCtx(config: Record<string, unknown>, secrets?: Record<string, string>) {
  return testContext({
    nodeId: 'alerts',
    config: sinkMqttDefinition.config.parse({ url: TEST_BROKER_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
}

/** A TCP server that accepts and never answers, like a host that is up but is no broker. */
async function silentServer(): Promise<{ url: string; sockets: Set<Socket>; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.resume(); // reads (and drops) what comes, so the client's FIN is seen
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `mqtt://127.0.0.1:${port}`, sockets, server };
}

describe('source.mqtt check', () => {
  it('connects, subscribes as the node would, and says what the broker accepted', async () => {
    const base = uniqueTopic('check');
    const message = await checkMqttSource(sourceCtx({ topics: [`${base}/+/temp`, `${base}/#`], qos: 2 }));
    expect(message).toBe(`connected to ${TEST_BROKER_URL}; the broker accepts the subscription to ${base}/+/temp, ${base}/# at QoS 2`);
  });

  it('names the user it connected as, and does not join a shared subscription', async () => {
    const base = uniqueTopic('check-shared');
    const message = await checkMqttSource(
      sourceCtx({ topics: [`$share/workers/${base}/jobs`], username: 'sluice', passwordSecret: 'MQTT_PW' }, { MQTT_PW: 'x' }),
    );
    expect(message).toBe(
      `connected to ${TEST_BROKER_URL} as sluice; shared subscription $share/workers/${base}/jobs not tried (the check would take messages from its group)`,
    );
  });

  it('leaves no trace: a running client with the configured clientId stays connected, and its persistent session keeps its queued messages', async () => {
    const topic = uniqueTopic('check-session');
    const clientId = `sluice-check-test-${randomUUID().slice(0, 8)}`;
    // A pipeline's persistent session that queued a QoS 1 message while away...
    const away = await testClient({ clientId, clean: false });
    await away.subscribeAsync(topic, { qos: 1 });
    await away.endAsync();
    await observer.publishAsync(topic, 'queued', { qos: 1 });
    // ...and another running one with its own fixed id.
    const runningId = `sluice-check-test-${randomUUID().slice(0, 8)}`;
    const running = await testClient({ clientId: runningId });
    others.push(running);
    let dropped = false;
    running.on('close', () => (dropped = true));

    await checkMqttSource(sourceCtx({ topics: [topic], clientId, cleanSession: false }));
    await checkMqttSource(sourceCtx({ topics: [topic], clientId: runningId }));
    // A round trip on the running client after both checks: a takeover would have closed it first.
    await running.subscribeAsync(uniqueTopic('alive'));
    expect(dropped).toBe(false);
    expect(running.connected).toBe(true);

    // The session is the pipeline's still: its queued message is delivered when it comes back.
    const back = connect(TEST_BROKER_URL, { clientId, clean: false, reconnectPeriod: 0 });
    others.push(back);
    const seen: string[] = [];
    back.on('message', (_t, payload) => seen.push(payload.toString()));
    await vi.waitFor(() => expect(seen).toEqual(['queued']), { timeout: 10_000 });
    // Ends the persistent session for good (the broker forgets it on a clean connect).
    await back.endAsync();
    await (await testClient({ clientId, clean: true })).endAsync();
  });

  it('fails naming the URL when the broker cannot be reached', async () => {
    await expect(checkMqttSource(sourceCtx({ url: 'mqtt://127.0.0.1:1', topics: ['x'] }))).rejects.toThrow(
      /^cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('gives up when the host does not answer, and closes the connection it opened', async () => {
    const silent = await silentServer();
    try {
      await expect(checkMqttSource(sourceCtx({ url: silent.url, topics: ['x'] }), 300)).rejects.toThrow(
        `no answer from ${silent.url} within 0.3 s`,
      );
      await vi.waitFor(() => expect(silent.sockets.size).toBe(0), { timeout: 10_000 });
    } finally {
      silent.server.close();
    }
  });

  it('fails when the broker refuses the credentials, naming the URL', async () => {
    const guarded = await guardedBroker();
    try {
      const config = { url: guarded.url, username: 'sluice', passwordSecret: 'MQTT_PW' };
      await expect(checkMqttSource(sourceCtx({ ...config, topics: ['allowed/x'] }, { MQTT_PW: 'wrong' }))).rejects.toThrow(
        `cannot connect to MQTT broker ${guarded.url}: the broker refused: Connection refused: Not authorized (code 5)`,
      );
      await expect(checkMqttSink(sinkCtx({ ...config, topic: 'allowed/x' }, { MQTT_PW: 'wrong' }))).rejects.toThrow(
        `cannot connect to MQTT broker ${guarded.url}: the broker refused`,
      );
      expect(await checkMqttSource(sourceCtx({ ...config, topics: ['allowed/#'] }, { MQTT_PW: 'right' }))).toBe(
        `connected to ${guarded.url} as sluice; the broker accepts the subscription to allowed/# at QoS 1`,
      );
    } finally {
      guarded.stop();
    }
  });

  it('fails naming the secret when passwordSecret is not set, before connecting', async () => {
    await expect(
      checkMqttSource(sourceCtx({ url: 'mqtt://127.0.0.1:1', topics: ['x'], username: 'u', passwordSecret: 'MQTT_MISSING' })),
    ).rejects.toThrow(/secret MQTT_MISSING is not set/);
  });
});

describe('sink.mqtt check', () => {
  it('connects and says where it will publish, publishing nothing', async () => {
    const topic = uniqueTopic('check-sink');
    const received = await expectMessages(observer, `${topic}/#`, 1, 300);
    const message = await checkMqttSink(sinkCtx({ topic: `${topic}/{site}`, qos: 0 }));
    expect(message).toBe(
      `connected to ${TEST_BROKER_URL}; will publish to ${topic}/{site} at QoS 0 (not tried: a check publishes nothing)`,
    );
    await expect(received()).rejects.toThrow(/0 of 1 messages/);
  });

  it('fails naming the URL when the broker cannot be reached, or does not answer', async () => {
    await expect(checkMqttSink(sinkCtx({ url: 'mqtt://127.0.0.1:1', topic: 'x' }))).rejects.toThrow(
      /^cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    const silent = await silentServer();
    try {
      await expect(checkMqttSink(sinkCtx({ url: silent.url, topic: 'x' }), 300)).rejects.toThrow(
        `no answer from ${silent.url} within 0.3 s`,
      );
      // The bound a check has when it is not a test's.
      await expect(checkMqttSink(sinkCtx({ url: silent.url, topic: 'x' }))).rejects.toThrow(`no answer from ${silent.url} within 5 s`);
    } finally {
      silent.server.close();
    }
  });

  it('fails naming the secret when passwordSecret is not set', async () => {
    await expect(checkMqttSink(sinkCtx({ topic: 'x', username: 'u', passwordSecret: 'MQTT_MISSING' }))).rejects.toThrow(
      /secret MQTT_MISSING is not set/,
    );
  });
});
