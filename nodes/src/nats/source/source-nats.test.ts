import { EVENT_TIME, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceOperator } from '../../sdk/operator.js';
import { pollToEnd, pollUntil, sleep, testContext } from '../../sdk/testing/index.js';
import { sourceNatsDefinition } from './definition.js';
import { TEST_NATS_URL, TestNats } from '../nats-test-client.js';
import { sourceNatsOperator } from './operator.js';

let nats: TestNats;
const opened: SourceOperator[] = [];

beforeAll(async () => {
  nats = await TestNats.open();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await nats?.close();
});

async function source(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SourceOperator> {
  const ctx = testContext({
    nodeId: 'orders',
    config: sourceNatsDefinition.config.parse({ url: TEST_NATS_URL, ...config }),
    now: () => 5000,
    ...(secrets ? { secrets } : {}),
  });
  const s = await sourceNatsOperator(ctx);
  opened.push(s);
  return s;
}

/** Plain fields of events (symbol-keyed stamps left out). */
const plain = (events: readonly object[]) => events.map((e) => JSON.parse(JSON.stringify(e)));

describe('source.nats, mode jetstream', () => {
  it('earliest with stopAtEnd: every message the stream holds, in order, with its subject; then done', async () => {
    const { stream, prefix } = await nats.stream('earliest');
    await nats.add(`${prefix}.eu`, { order: 1 });
    await nats.add(`${prefix}.us`, { order: 2, subject: 'spoofed' }); // the NATS subject wins
    await nats.add(`${prefix}.eu`, { order: 3 });
    const s = await source({ stream, start: 'earliest', stopAtEnd: true });
    const { events, errors } = await pollToEnd(s);
    expect(plain(events)).toEqual([
      { order: 1, subject: `${prefix}.eu` },
      { order: 2, subject: `${prefix}.us` },
      { order: 3, subject: `${prefix}.eu` },
    ]);
    expect(errors).toEqual([]);
    expect(s.position!()).toBe(3);
    // Read time as event time; the watermark follows the clock.
    expect(events.map((e) => [e[EVENT_TIME], e[INGEST_TIME]])).toEqual([
      [5000, 5000],
      [5000, 5000],
      [5000, 5000],
    ]);
    expect(await s.poll(10)).toEqual({ events: [], watermark: 5000, done: true });
  });

  it('a subject filter reads only the matching messages; stopAtEnd ends on the last one, and at once on an empty stream', async () => {
    const { stream, prefix } = await nats.stream('filter');
    const empty = await source({ stream, start: 'earliest', stopAtEnd: true });
    expect((await pollToEnd(empty)).events).toEqual([]);
    await nats.add(`${prefix}.eu.created`, { n: 1 });
    await nats.add(`${prefix}.us.created`, { n: 2 });
    await nats.add(`${prefix}.eu.paid`, { n: 3 });
    await nats.add(`${prefix}.eu.created`, { n: 4 });
    await nats.add(`${prefix}.us.paid`, { n: 5 }); // after the last match: the source still ends
    const s = await source({ stream, subject: `${prefix}.eu.*`, start: 'earliest', stopAtEnd: true, includeSubject: false });
    const { events } = await pollToEnd(s);
    expect(plain(events)).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(s.position!()).toBe(4);
  });

  it('latest reads only what is added after the start, live (not done), from a pinned position', async () => {
    const { stream, prefix } = await nats.stream('latest');
    await nats.add(`${prefix}.a`, { old: 1 });
    await nats.add(`${prefix}.a`, { old: 2 });
    const s = await source({ stream });
    expect(s.position!()).toBe(2);
    // Added before the first poll: still after the start, so read.
    await nats.add(`${prefix}.a`, { fresh: 1 });
    const first = await pollUntil(s, 1);
    await nats.add(`${prefix}.b`, { fresh: 2 });
    const second = await pollUntil(s, 1);
    expect(plain([...first.events, ...second.events])).toEqual([
      { fresh: 1, subject: `${prefix}.a` },
      { fresh: 2, subject: `${prefix}.b` },
    ]);
    expect(first.done || second.done).toBe(false);
    expect(s.position!()).toBe(4);
    await sleep(50);
    expect(await s.poll(10)).toEqual({ events: [], watermark: 5000, done: false });
  });

  it('seek(seq) resumes right after the checkpointed sequence, also after reading on past it', async () => {
    const { stream, prefix } = await nats.stream('seek');
    for (let i = 1; i <= 6; i++) await nats.add(`${prefix}.x`, { i });
    const s = await source({ stream, start: 'earliest', stopAtEnd: true });
    await s.seek!(2); // a restore: the checkpoint says sequence 2 was read
    const first = await pollUntil(s, 2, 5000, 2);
    expect(first.events.map((e) => e.i)).toEqual([3, 4]);
    const checkpoint = s.position!();
    expect(checkpoint).toBe(4);
    await pollUntil(s, 1, 5000, 1); // read on (an interrupted batch)
    await s.seek!(checkpoint); // BullMQ replays from the checkpoint
    expect((await pollToEnd(s)).events.map((e) => e.i)).toEqual([5, 6]);
    // A fresh operator resumed from the checkpoint: the same, `start` ignored.
    const resumed = await source({ stream, start: 'latest', stopAtEnd: true });
    await resumed.seek!(checkpoint);
    expect((await pollToEnd(resumed)).events.map((e) => e.i)).toEqual([5, 6]);
    await expect(Promise.resolve(resumed.seek!('4-0'))).rejects.toThrow(
      `cannot resume stream "${stream}" at ${TEST_NATS_URL} from "4-0": not a stream sequence`,
    );
  });

  it('holds at most maxBuffered messages and loses none', async () => {
    const { stream, prefix } = await nats.stream('buffer');
    for (let i = 0; i < 25; i++) await nats.add(`${prefix}.x`, { i });
    const s = await source({ stream, start: 'earliest', stopAtEnd: true, maxBuffered: 4 });
    expect((await s.poll(0)).events).toEqual([]); // starts the reader
    await sleep(200);
    // The reader asked the server for no more than fits.
    expect((await s.poll(1000)).events.map((e) => e.i)).toEqual([0, 1, 2, 3]);
    const rest = await pollToEnd(s, 5000, 3);
    expect(rest.events.map((e) => e.i)).toEqual(Array.from({ length: 21 }, (_, k) => k + 4));
  });

  it('sends bad payloads to the error port with subject and sequence, and reads past them', async () => {
    const { stream, prefix } = await nats.stream('bad');
    await nats.add(`${prefix}.x`, 'temp=21');
    await nats.add(`${prefix}.x`, '[1, 2]');
    await nats.add(`${prefix}.x`, { ok: 1 });
    await nats.add(`${prefix}.y`, 'x'.repeat(1500));
    const s = await source({ stream, start: 'earliest', stopAtEnd: true });
    const { events, errors } = await pollToEnd(s);
    expect(plain(events)).toEqual([{ ok: 1, subject: `${prefix}.x` }]);
    expect(errors.map((e) => e.event)).toEqual([
      { subject: `${prefix}.x`, seq: 1, _raw: 'temp=21' },
      { subject: `${prefix}.x`, seq: 2, _raw: '[1, 2]' },
      { subject: `${prefix}.y`, seq: 4, _raw: 'x'.repeat(1000) },
    ]);
    expect(errors[0]!.error).toMatch(new RegExp(`^subject ${prefix}\\.x \\(seq 1\\): payload is not JSON \\(`));
    expect(errors[1]!.error).toBe(`subject ${prefix}.x (seq 2): payload is not a JSON object`);
    expect(s.position!()).toBe(4);
  });

  it('stamps the event time from timeField, the watermark behind by maxOutOfOrderness; a missing time is an error', async () => {
    const { stream, prefix } = await nats.stream('time');
    await nats.add(`${prefix}.t`, { ts: 10_000, n: 1 });
    await nats.add(`${prefix}.t`, { ts: '1970-01-01T00:00:12Z', n: 2 });
    await nats.add(`${prefix}.t`, { ts: 10_500, n: 3 }); // behind the watermark (11 000)
    await nats.add(`${prefix}.t`, { n: 4 });
    const s = await source({ stream, start: 'earliest', stopAtEnd: true, timeField: 'ts', maxOutOfOrderness: '1s', includeSubject: false });
    const { events, errors } = await pollToEnd(s);
    expect(events.map((e) => [e.n, e[EVENT_TIME], e[SOURCE_WATERMARK]])).toEqual([
      [1, 10_000, undefined],
      [2, 12_000, undefined],
      [3, 10_500, 11_000],
    ]);
    expect(errors).toEqual([
      { event: { subject: `${prefix}.t`, seq: 4, n: 4 }, error: `subject ${prefix}.t (seq 4): timeField "ts" is missing` },
    ]);
  });

  it('fails to start naming the stream when it does not exist', async () => {
    await expect(source({ stream: 'SLUICE_TEST_NO_SUCH_STREAM' })).rejects.toThrow(
      `stream "SLUICE_TEST_NO_SUCH_STREAM" at ${TEST_NATS_URL}: no such stream (create it, e.g. nats stream add SLUICE_TEST_NO_SUCH_STREAM)`,
    );
  });

  it('fails the run naming node and stream when the stream is deleted under it', async () => {
    const { stream, prefix } = await nats.stream('deleted');
    await nats.add(`${prefix}.x`, { n: 1 });
    const s = await source({ stream, start: 'earliest' });
    await pollUntil(s, 1);
    await nats.jsm.streams.delete(stream);
    const deadline = Date.now() + 10_000;
    let failure: Error | undefined;
    while (!failure && Date.now() < deadline) {
      try {
        await s.poll(10);
        await sleep(50);
      } catch (err) {
        failure = err as Error;
      }
    }
    expect(failure?.message).toMatch(new RegExp(`^orders: stream "${stream}" at ${TEST_NATS_URL.replaceAll('.', '\\.')}: cannot read: `));
  }, 15_000);
});

describe('source.nats, mode core', () => {
  it('subscribes with wildcards (* one token, > the rest), JSON and text payloads', async () => {
    const base = `sluice-test.core.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const s = await source({ mode: 'core', subjects: [`${base}.*.temp`, `${base}.alarm.>`] });
    const text = await source({ mode: 'core', subjects: [`${base}.log`], format: 'text', includeSubject: false });
    await nats.publish(`${base}.m1.temp`, { v: 21.5 });
    await nats.publish(`${base}.m1.humidity`, { v: 40 }); // matches neither
    await nats.publish(`${base}.m1.x.temp`, { v: 1 }); // * is one token only
    await nats.publish(`${base}.alarm.m2.door`, { open: true });
    await nats.publish(`${base}.log`, 'pump started');
    await nats.publish(`${base}.m2.temp`, 'celsius=99'); // not JSON
    const { events, errors } = await pollUntil(s, 3);
    expect(plain(events)).toEqual([
      { v: 21.5, subject: `${base}.m1.temp` },
      { open: true, subject: `${base}.alarm.m2.door` },
    ]);
    expect(errors).toEqual([
      {
        event: { subject: `${base}.m2.temp`, _raw: 'celsius=99' },
        error: expect.stringMatching(new RegExp(`^subject ${base}\\.m2\\.temp: payload is not JSON`)),
      },
    ]);
    expect(plain((await pollUntil(text, 1)).events)).toEqual([{ payload: 'pump started' }]);
    expect(s.position).toBeUndefined();
    expect(sourceNatsDefinition.bounded!(sourceNatsDefinition.config.parse({ url: TEST_NATS_URL, mode: 'core', subjects: ['x'] }))).toBe(
      false,
    );
  });

  it('drops what arrives while maxBuffered messages wait, and says how many on the error port', async () => {
    const subject = `sluice-test.core-drop.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const s = await source({ mode: 'core', subjects: [subject], maxBuffered: 2 });
    for (let i = 0; i < 5; i++) await nats.publish(subject, { i });
    await sleep(100);
    const b = await s.poll(100);
    expect(b.events.map((e) => e.i)).toEqual([0, 1]);
    expect(b.errors).toEqual([{ event: { _dropped: 3 }, error: '3 messages dropped: 2 (maxBuffered) were waiting for the pipeline' }]);
  });
});

describe('source.nats, start and validation', () => {
  it('fails to start naming the URL when the server cannot be reached', async () => {
    await expect(source({ url: 'nats://127.0.0.1:1', stream: 'X' })).rejects.toThrow(
      /^cannot connect to NATS server nats:\/\/127\.0\.0\.1:1: .*CONNECTION_REFUSED/,
    );
  });

  it('fails to start naming the secret when passwordSecret or tokenSecret is not set', async () => {
    await expect(source({ stream: 'X', username: 'sluice', passwordSecret: 'NATS_MISSING_PASSWORD' })).rejects.toThrow(
      /secret NATS_MISSING_PASSWORD is not set/,
    );
    await expect(source({ stream: 'X', tokenSecret: 'NATS_MISSING_TOKEN' })).rejects.toThrow(/secret NATS_MISSING_TOKEN is not set/);
  });

  it('validates: inline credentials, stream and subjects per mode, credentials, text with timeField', () => {
    const check = (config: Record<string, unknown>) =>
      sourceNatsDefinition.check!(sourceNatsDefinition.config.parse({ url: TEST_NATS_URL, ...config }));
    expect(check({ url: 'nats://ops:hunter2@nats:4222', stream: 'S' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({ url: 'nats://s3cr3t-token@nats:4222', stream: 'S' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({})).toEqual([{ path: 'config.stream', message: 'mode jetstream reads a stream: name it' }]);
    expect(check({ stream: 'ORDERS.EU', subject: 'orders.>.x', subjects: ['a'] })).toEqual([
      { path: 'config.stream', message: '"ORDERS.EU": a stream name holds no spaces, dots, *, > or slashes' },
      { path: 'config.subject', message: '"orders.>.x": > stands alone as the last token (orders.>)' },
      {
        path: 'config.subjects',
        message: 'subjects is for mode jetstream; with jetstream use stream (and subject to filter it)'.replace(
          'for mode jetstream',
          'for mode core',
        ),
      },
    ]);
    expect(
      check({
        mode: 'core',
        subjects: ['ok.*.x', 'a*.b', 'a..b', 'a b'],
        stream: 'S',
        stopAtEnd: true,
        passwordSecret: 'P',
        tokenSecret: 'T',
        format: 'text',
        timeField: 'ts',
      }),
    ).toEqual([
      {
        path: 'config.tokenSecret',
        message: 'a NATS connection authenticates with a user and password or with a token, not both: remove passwordSecret or tokenSecret',
      },
      { path: 'config.username', message: 'passwordSecret needs a username' },
      { path: 'config.subjects[1]', message: '"a*.b": * stands alone as a whole token (orders.*.created)' },
      { path: 'config.subjects[2]', message: '"a..b": a subject has no empty token (no leading, trailing or double dot)' },
      { path: 'config.subjects[3]', message: '"a b": a subject holds no spaces, tabs or line breaks' },
      { path: 'config.stream', message: 'stream is for mode jetstream; core subscribes to subjects' },
      { path: 'config.stopAtEnd', message: 'a core subscription has no end (nothing is stored): stopAtEnd needs mode jetstream' },
      { path: 'config.timeField', message: 'text messages have no fields to read a time from: remove timeField or use format json' },
    ]);
    expect(sourceNatsDefinition.config.safeParse({ url: 'http://nats:4222', stream: 'S' }).success).toBe(false);
    const ex = sourceNatsDefinition.config.parse(sourceNatsDefinition.example);
    expect(sourceNatsDefinition.check!(ex)).toEqual([]);
    expect(sourceNatsDefinition.bounded!(ex)).toBe(false);
    expect(sourceNatsDefinition.outputs(ex).map((p) => p.name)).toEqual(['out', 'error']);
  });
});
