/**
 * Personal data in taps, recordings and preview answers (docs/privacy.md), through the API on
 * real embedded runs: a canary email and card number never leave with the safe defaults, and
 * do when the document explicitly turns masking off.
 */
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, httpSourceDoc, readSse, type TestApi, testApi, waitFor } from '../api/test-support.js';
import { RedisRecordingStore } from '../recording/redis-recording-store.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

afterEach(closeTestApis);

const EMAIL = 'canary.7f3a@example.com';
const CARD = '4000123412349876';
const event = (i: number) => ({ ts: 1_700_000_000_000 + i, order: i, customer_email: EMAIL, cardNumber: CARD, shipping: 'express' });

function doc(privacy?: Record<string, unknown>) {
  return { ...httpSourceDoc(), ...(privacy ? { privacy } : {}) };
}

async function deployed(api: TestApi, privacy?: Record<string, unknown>): Promise<void> {
  expect((await api.call('POST', '/api/pipelines', doc(privacy))).status).toBe(201);
  expect((await api.call('POST', '/api/pipelines/inbound/deploy')).status).toBe(200);
}

/** Tap e1 while posting events until `n` came through; the stream's messages. */
async function tap(api: TestApi, n = 3) {
  const res = await api.app.request('/api/pipelines/inbound/taps/e1');
  let i = 0;
  return readSse(res, (seen) => {
    void api.call('POST', '/api/ingest/inbound/http', event(i++));
    return seen.filter((m) => m.event === 'events').flatMap((m) => m.data).length >= n;
  });
}

async function recorded(api: TestApi, n: number): Promise<void> {
  await waitFor(async () => (await api.call('GET', '/api/pipelines/inbound/recording')).json.events >= n);
}

describe('taps', () => {
  it('mask fields whose names look personal by default, and say which', async () => {
    const api = testApi();
    await deployed(api);
    const seen = await tap(api);
    const events = seen.filter((m) => m.event === 'events').flatMap((m) => m.data);
    expect(events[0]).toMatchObject({ customer_email: '***', cardNumber: '***', shipping: 'express' });
    expect(JSON.stringify(seen)).not.toContain(EMAIL);
    expect(JSON.stringify(seen)).not.toContain(CARD);
    const masked = seen.find((m) => m.event === 'masked')!.data;
    expect(masked).toEqual(
      expect.arrayContaining([
        { field: 'customer_email', how: 'personal' },
        { field: 'cardNumber', how: 'personal' },
      ]),
    );
  });

  it('show them when the document turns the default off', async () => {
    const api = testApi();
    await deployed(api, { maskPersonalFields: false });
    const seen = await tap(api);
    const events = seen.filter((m) => m.event === 'events').flatMap((m) => m.data);
    expect(events[0]).toMatchObject({ customer_email: EMAIL, cardNumber: CARD });
    expect(seen.some((m) => m.event === 'masked')).toBe(false);
  });

  it("apply the document's own rules, and reveal what it names", async () => {
    const api = testApi();
    await deployed(api, { mask: [{ field: 'cardNumber', op: 'keep_last', keep: 4 }], reveal: ['customer_email'] });
    const seen = await tap(api);
    const events = seen.filter((m) => m.event === 'events').flatMap((m) => m.data);
    expect(events[0]).toMatchObject({ customer_email: EMAIL, cardNumber: '************9876' });
    expect(seen.find((m) => m.event === 'masked')!.data).toEqual([{ field: 'cardNumber', how: 'keep_last' }]);
  });
});

describe('recordings and previews', () => {
  it('keep and answer masked events by default; unmasked when the document says so', async () => {
    for (const [privacy, shows] of [
      [undefined, false],
      [{ maskPersonalFields: false }, true],
    ] as const) {
      const api = testApi();
      await deployed(api, privacy);
      for (let i = 0; i < 5; i++) await api.call('POST', '/api/ingest/inbound/http', event(i));
      await recorded(api, 5);
      const preview = await api.call('POST', '/api/pipelines/inbound/preview', {});
      expect(preview.status).toBe(200);
      expect(preview.json.live).toMatchObject({ outputs: { out: expect.any(Array) } });
      expect((preview.json.live as { outputs: { out: unknown[] } }).outputs.out).toHaveLength(5);
      expect(preview.text.includes(EMAIL), JSON.stringify(privacy)).toBe(shows);
      expect(preview.text.includes(CARD), JSON.stringify(privacy)).toBe(shows);
      await closeTestApis();
    }
  });

  it('an uploaded sample is masked as well', async () => {
    const api = testApi();
    await deployed(api);
    const preview = await api.call('POST', '/api/pipelines/inbound/preview', { events: { http: [event(1), event(2)] } });
    expect(preview.status).toBe(200);
    expect(preview.text).not.toContain(EMAIL);
    expect((preview.json.live as { outputs: { out: Record<string, unknown>[] } }).outputs.out[0]).toMatchObject({ customer_email: '***' });
  });

  it('recording off records nothing; DELETE /recording deletes what was kept', async () => {
    const off = testApi();
    await deployed(off, { recording: { enabled: false } });
    for (let i = 0; i < 3; i++) await off.call('POST', '/api/ingest/inbound/http', event(i));
    // The events reached the sink (so they passed where the recorder listens) ...
    await waitFor(async () => (await off.call('GET', '/api/pipelines/inbound/status')).json.metrics?.nodes?.out?.in >= 3);
    // ... and none was recorded.
    expect((await off.call('GET', '/api/pipelines/inbound/recording')).json.events).toBe(0);

    const api = testApi();
    await deployed(api);
    for (let i = 0; i < 3; i++) await api.call('POST', '/api/ingest/inbound/http', event(i));
    await recorded(api, 3);
    await api.call('POST', '/api/pipelines/inbound/stop');
    expect((await api.call('DELETE', '/api/pipelines/inbound/recording')).json).toEqual({ pipeline: 'inbound', deleted: 'recording' });
    expect((await api.call('GET', '/api/pipelines/inbound/recording')).json.events).toBe(0);
  });

  it('a deploy whose hmac key is not set is refused, naming the secret and its variable', async () => {
    const api = testApi();
    expect(
      (await api.call('POST', '/api/pipelines', doc({ mask: [{ field: 'cardNumber', op: 'hmac', keySecret: 'PRIVACY_TEST_UNSET_KEY' }] })))
        .status,
    ).toBe(201);
    const r = await api.call('POST', '/api/pipelines/inbound/deploy');
    expect(r.status).toBe(500);
    expect(r.text).toContain('secret PRIVACY_TEST_UNSET_KEY is not set');
    expect(r.text).toContain('SLUICE_SECRET_PRIVACY_TEST_UNSET_KEY');
  });

  it('refuses a rule without what its op needs, naming field and op', async () => {
    const api = testApi();
    const r = await api.call('POST', '/api/pipelines/inbound/validate', undefined);
    expect(r.status).toBe(404);
    await api.call('POST', '/api/pipelines', doc({ mask: [{ field: 'cardNumber', op: 'keep_last' }] }));
    const v = await api.call('POST', '/api/pipelines/inbound/validate');
    expect(JSON.stringify(v.json)).toContain('\\"cardNumber\\" (keep_last): keep is required');
  });
});

describe('deleting a pipeline', () => {
  it('deletes its recording in Redis', async () => {
    const prefix = `${TEST_KEY_ROOT}-privacy-${process.pid}`;
    const recordings = new RedisRecordingStore({ redisUrl: REDIS, prefix, flushMs: 20 });
    const redis = new Redis(REDIS);
    try {
      const api = testApi({ recordings });
      await deployed(api);
      for (let i = 0; i < 3; i++) await api.call('POST', '/api/ingest/inbound/http', event(i));
      await recorded(api, 3);
      expect(await redis.llen(`${prefix}:rec:{inbound}:http`)).toBe(3);
      // Kept masked in Redis too.
      expect(JSON.stringify(await redis.lrange(`${prefix}:rec:{inbound}:http`, 0, -1))).not.toContain(EMAIL);
      expect((await api.call('DELETE', '/api/pipelines/inbound')).status).toBe(200);
      expect(await redis.exists(`${prefix}:rec:{inbound}:http`, `${prefix}:rec:{inbound}`)).toBe(0);
    } finally {
      await closeTestApis();
      await recordings.close();
      await deletePrefixKeys(REDIS, prefix);
      redis.disconnect();
    }
  });
});
