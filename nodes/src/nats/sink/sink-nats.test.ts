import { EVENT_TIME, type Event } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { TEST_NATS_URL, TestNats } from '../nats-test-client.js';
import { sinkNatsDefinition } from './definition.js';
import { sinkNatsOperator } from './operator.js';
import { compileTemplate } from '../../sdk/template.js';
import { SUBJECT_TEMPLATE } from '../subject-template.js';

let nats: TestNats;
const opened: SinkOperator[] = [];

beforeAll(async () => {
  nats = await TestNats.open();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await nats?.close();
});

async function sink(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SinkOperator> {
  const ctx = testContext({
    nodeId: 'alerts',
    config: sinkNatsDefinition.config.parse({ url: TEST_NATS_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
  const s = (await sinkNatsOperator(ctx)) as SinkOperator;
  opened.push(s);
  return s;
}

const collector = () => recordingCollector('alerts', () => false);

describe('sink.nats', () => {
  it('publishes each event as one JSON message (fields only) to the stream, in order, acknowledged when flush returns', async () => {
    const { stream, prefix } = await nats.stream('sink-fixed');
    const s = await sink({ subject: `${prefix}.alerts` });
    const col = collector();
    s.process([Object.freeze({ id: 1, msg: 'hot', [EVENT_TIME]: 5 }) as Event, { id: 2, nested: { a: [1, null] } }], col, 'in');
    s.process([{ id: 3, text: 'é漢' }], col, 'in');
    await s.flush!();
    // No wait: flush returned after the PubAcks, so the stream has them.
    expect(await nats.messages(stream)).toEqual([
      { subject: `${prefix}.alerts`, payload: '{"id":1,"msg":"hot"}' },
      { subject: `${prefix}.alerts`, payload: '{"id":2,"nested":{"a":[1,null]}}' },
      { subject: `${prefix}.alerts`, payload: '{"id":3,"text":"é漢"}' },
    ]);
    expect(col.counters.errors).toBe(0);
  });

  it('with dedupField, a batch published twice (a retry) is stored once; events without the field are published without an id', async () => {
    const { stream, prefix } = await nats.stream('sink-dedup');
    const s = await sink({ subject: `${prefix}.orders`, dedupField: 'orderId' });
    const batch: Event[] = [{ orderId: 'o-1', amount: 250 }, { orderId: 17, amount: 20 }, { amount: 5 }];
    s.process(batch, collector(), 'in');
    await s.flush!();
    // The same batch again, as the BullMQ runner replays an uncommitted one after a crash; and
    // from a second sink (another worker): JetStream drops the ids it has seen.
    s.process(batch, collector(), 'in');
    await s.flush!();
    const other = await sink({ subject: `${prefix}.orders`, dedupField: 'orderId' });
    other.process([batch[0]!], collector(), 'in');
    await other.flush!();
    expect(await nats.messages(stream)).toEqual([
      { subject: `${prefix}.orders`, payload: '{"orderId":"o-1","amount":250}', msgId: 'o-1' },
      { subject: `${prefix}.orders`, payload: '{"orderId":17,"amount":20}', msgId: '17' },
      { subject: `${prefix}.orders`, payload: '{"amount":5}' },
      { subject: `${prefix}.orders`, payload: '{"amount":5}' },
    ]);
  });

  it('fills {field} placeholders from each event; an event that cannot be placed is counted as an error and not published', async () => {
    const { stream, prefix } = await nats.stream('sink-template');
    const s = await sink({ subject: `${prefix}.{region}.{kind}` });
    const col = collector();
    const why: string[] = [];
    const countErrors = col.error;
    col.error = (e, err) => {
      why.push((err as Error).message);
      countErrors(e, err);
    };
    s.process(
      [
        { region: 'eu', kind: 'created', n: 1 },
        { region: 'us', n: 2 }, // no kind
        { region: 'eu.lyon', kind: 7, n: 3 }, // a dot adds a token
        { region: 'a*', kind: 'x', n: 4 }, // a wildcard
        { region: 'two words', kind: 'x', n: 5 }, // whitespace
        { region: 'eu.', kind: 'x', n: 6 }, // an empty token
        { region: { nested: 1 }, kind: 'x', n: 7 },
        { region: 'us', kind: true, n: 8 },
      ],
      col,
      'in',
    );
    await s.flush!();
    expect((await nats.messages(stream)).map((m) => [m.subject, JSON.parse(m.payload).n])).toEqual([
      [`${prefix}.eu.created`, 1],
      [`${prefix}.eu.lyon.7`, 3],
      [`${prefix}.us.true`, 8],
    ]);
    expect(col.counters.errors).toBe(5);
    expect(why).toEqual([
      `subject ${prefix}.{region}.{kind}: field "kind" is missing`,
      `subject ${prefix}.{region}.{kind}: "${prefix}.a*.x" is not a subject to publish to (a subject to publish to holds no wildcard (* or >))`,
      `subject ${prefix}.{region}.{kind}: "${prefix}.two words.x" is not a subject to publish to (a subject holds no spaces, tabs or line breaks)`,
      `subject ${prefix}.{region}.{kind}: "${prefix}.eu..x" is not a subject to publish to (a subject has no empty token (no leading, trailing or double dot))`,
      `subject ${prefix}.{region}.{kind}: field "region" is an object, not a value`,
    ]);
  });

  it('with jetstream false, publishes with core NATS to the subscribers there', async () => {
    const subject = `sluice-test.sink-core.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const sub = nats.nc.subscribe(`${subject}.>`, { max: 2 });
    const s = await sink({ subject: `${subject}.{site}`, jetstream: false });
    s.process(
      [
        { site: 'lyon', t: 41.5 },
        { site: 'oslo', t: 12 },
      ],
      collector(),
      'in',
    );
    await s.flush!();
    const got: [string, string][] = [];
    for await (const m of sub) got.push([m.subject, new TextDecoder().decode(m.data)]);
    expect(got).toEqual([
      [`${subject}.lyon`, '{"site":"lyon","t":41.5}'],
      [`${subject}.oslo`, '{"site":"oslo","t":12}'],
    ]);
  });

  it('fails the run naming the node and the subject when no stream takes a templated subject', async () => {
    const s = await sink({ subject: `sluice-test.nowhere.{region}` });
    s.process([{ region: 'eu' }], collector(), 'in');
    await expect(s.flush!()).rejects.toThrow(
      /^alerts: cannot publish to subject sluice-test\.nowhere\.eu at nats:\/\/127\.0\.0\.1:4222: no JetStream stream takes the subject/,
    );
    // Later batches fail at once, naming the same cause.
    expect(() => s.process([{ region: 'us' }], collector(), 'in')).toThrow(/^cannot publish to subject sluice-test\.nowhere\.eu/);
  });

  it('fails to start naming the subject and URL when no stream takes a fixed subject', async () => {
    await expect(sink({ subject: 'sluice-test.nowhere.fixed' })).rejects.toThrow(
      `cannot publish to subject sluice-test.nowhere.fixed at ${TEST_NATS_URL}: no JetStream stream takes that subject (create one, or set jetstream false)`,
    );
  });

  it('fails to start naming the URL when the server cannot be reached, and the secret when it is not set', async () => {
    await expect(sink({ url: 'nats://127.0.0.1:1', subject: 'x' })).rejects.toThrow(
      /^cannot connect to NATS server nats:\/\/127\.0\.0\.1:1: .*CONNECTION_REFUSED/,
    );
    await expect(sink({ subject: 'x', tokenSecret: 'NATS_SINK_MISSING_TOKEN' })).rejects.toThrow(
      /secret NATS_SINK_MISSING_TOKEN is not set/,
    );
  });

  it('validates: inline credentials, subject templates, dedupField without jetstream', () => {
    const check = (config: Record<string, unknown>) =>
      sinkNatsDefinition.check!(sinkNatsDefinition.config.parse({ url: TEST_NATS_URL, subject: 'a.b', ...config }));
    expect(check({ url: 'nats://ops:hunter2@nats:4222' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({ subject: 'orders.{region' })).toEqual([
      { path: 'config.subject', message: '"{" at character 8 is not closed (write {{ for a literal brace)' },
    ]);
    expect(check({ subject: 'orders.{a.b}' })).toEqual([
      { path: 'config.subject', message: '{a.b} at character 8 is not a field name (letters, digits, _ and -; top-level fields only)' },
    ]);
    expect(check({ subject: 'orders.*.{region}' })).toEqual([
      { path: 'config.subject', message: 'a subject to publish to holds no wildcard (* or >)' },
    ]);
    expect(check({ subject: 'orders..{region}' })).toEqual([
      { path: 'config.subject', message: 'a subject has no empty token (no leading, trailing or double dot)' },
    ]);
    expect(check({ jetstream: false, dedupField: 'id' })).toEqual([
      { path: 'config.dedupField', message: 'dedupField needs jetstream: core NATS keeps no message ids', severity: 'warning' },
    ]);
    expect(compileTemplate('a.{{x}}.{id}', SUBJECT_TEMPLATE)({ id: 'q' })).toBe('a.{x}.q');
    const ex = sinkNatsDefinition.config.parse(sinkNatsDefinition.example);
    expect(sinkNatsDefinition.check!(ex)).toEqual([]);
  });
});
