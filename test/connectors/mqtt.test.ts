/**
 * source.mqtt -> filter -> sink.mqtt through the embedded runner, against the real Mosquitto
 * (MQTT_URL or mqtt://127.0.0.1:1883): an unbounded pipeline, stopped once the expected
 * messages came out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePipeline, EmbeddedRunner } from '@sluice/engine';
import { compiled } from '@sluice/engine/testing';
import { expectMessages, TEST_BROKER_URL, type TestMqttClient, testClient, uniqueTopic } from '../../nodes/src/mqtt/mqtt-test-client.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmpMqtt = tempFolders('sluice-mqtt-');

let client: TestMqttClient;
const dir = tmpMqtt();

beforeAll(async () => {
  client = await testClient();
});

afterAll(async () => {
  await client?.endAsync();
});

function pipeline(inBase: string, outBase: string, source: Record<string, unknown> = {}, sink: Record<string, unknown> = {}) {
  return {
    format: 'sluice/v1',
    nodes: [
      { id: 'readings', type: 'source.mqtt', config: { url: TEST_BROKER_URL, topics: [`${inBase}/+/temp`], ...source } },
      { id: 'hot', type: 'filter', config: { expression: 'celsius > 30' } },
      { id: 'alerts', type: 'sink.mqtt', config: { url: TEST_BROKER_URL, topic: `${outBase}/{machine}`, ...sink } },
    ],
    edges: [
      { id: 'e1', source: 'readings', target: 'hot' },
      { id: 'e2', source: 'hot', target: 'alerts' },
    ],
  };
}

describe('MQTT connectors in a pipeline', () => {
  it('reads, filters and publishes to per-event topics; bad payloads are counted on the source', async () => {
    const inBase = uniqueTopic('pipe-in');
    const outBase = uniqueTopic('pipe-out');
    const received = await expectMessages(client, `${outBase}/#`, 2, 10_000);
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(pipeline(inBase, outBase)), { baseDir: dir, batchDelayMs: 5 });
      const publish = (machine: string, payload: string) => client.publishAsync(`${inBase}/${machine}/temp`, payload, { qos: 1 });
      await publish('m1', JSON.stringify({ machine: 'm1', celsius: 25 }));
      await publish('m2', JSON.stringify({ machine: 'm2', celsius: 41.5 }));
      await publish('m2', 'celsius=99');
      await publish('m3', JSON.stringify({ machine: 'm3', celsius: 33 }));
      await client.publishAsync(`${inBase}/m1/humidity`, JSON.stringify({ machine: 'm1', celsius: 80 }), { qos: 1 }); // not subscribed
      expect(await received()).toEqual([
        { topic: `${outBase}/m2`, payload: JSON.stringify({ machine: 'm2', celsius: 41.5, topic: `${inBase}/m2/temp` }), retain: false },
        { topic: `${outBase}/m3`, payload: JSON.stringify({ machine: 'm3', celsius: 33, topic: `${inBase}/m3/temp` }), retain: false },
      ]);
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(result.metrics.nodes.readings).toMatchObject({ out: 3, errors: 1 });
      expect(result.metrics.nodes.hot).toMatchObject({ in: 3, out: 2 });
      expect(result.metrics.nodes.alerts).toMatchObject({ in: 2, errors: 0 });
    } finally {
      await runner.close();
    }
  });

  it('counts an event the topic template cannot place as an error of the sink and keeps running', async () => {
    const inBase = uniqueTopic('pipe-in');
    const outBase = uniqueTopic('pipe-out');
    const received = await expectMessages(client, `${outBase}/#`, 1, 10_000);
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(pipeline(inBase, outBase, { includeTopic: false }, { qos: 2 })), {
        baseDir: dir,
        batchDelayMs: 5,
      });
      await client.publishAsync(`${inBase}/x/temp`, JSON.stringify({ celsius: 50 }), { qos: 1 }); // no machine field
      await client.publishAsync(`${inBase}/m9/temp`, JSON.stringify({ machine: 'm9', celsius: 50 }), { qos: 1 });
      expect(await received()).toEqual([{ topic: `${outBase}/m9`, payload: '{"machine":"m9","celsius":50}', retain: false }]);
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(result.metrics.nodes.alerts).toMatchObject({ in: 2, errors: 1 });
    } finally {
      await runner.close();
    }
  });

  it('refuses a URL with an inline password, naming the node and field', () => {
    const doc = pipeline('in', 'out', { url: 'mqtt://ops:hunter2@127.0.0.1:1883' }, { url: 'mqtt://ops:s3cret@127.0.0.1:1883' });
    const { document, diagnostics } = compilePipeline(doc);
    expect(document).toBeUndefined();
    const inline = diagnostics.filter((d) => d.code === 'inline-password');
    expect(inline.map((d) => [d.nodeId, d.path])).toEqual([
      ['readings', 'config.url'],
      ['alerts', 'config.url'],
    ]);
  });

  it('fails the start naming the node and the secret when passwordSecret is not set', async () => {
    const runner = new EmbeddedRunner();
    try {
      const doc = pipeline(
        uniqueTopic('pipe-in'),
        uniqueTopic('pipe-out'),
        {},
        { username: 'sluice', passwordSecret: 'MQTT_ALERTS_PASSWORD_UNSET' },
      );
      await expect(runner.deploy(compiled(doc), { baseDir: dir })).rejects.toThrow(
        'alerts: secret MQTT_ALERTS_PASSWORD_UNSET is not set: set the environment variable SLUICE_SECRET_MQTT_ALERTS_PASSWORD_UNSET for the server and every worker',
      );
    } finally {
      await runner.close();
    }
  });

  it('fails the start naming the node and the URL when the broker cannot be reached', async () => {
    const runner = new EmbeddedRunner();
    try {
      const doc = pipeline(uniqueTopic('pipe-in'), uniqueTopic('pipe-out'), {}, { url: 'mqtt://127.0.0.1:1' });
      await expect(runner.deploy(compiled(doc), { baseDir: dir })).rejects.toThrow(
        /^alerts: cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: /,
      );
    } finally {
      await runner.close();
    }
  });
});
