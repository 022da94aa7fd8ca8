/**
 * A split source.http node on the embedded engine (memory inboxes, one per partition): every
 * posted record reaches the sink once; a record without the `partitionBy` field refuses its
 * request whole (400, nothing taken).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi, waitFor } from '../test-support.js';

afterEach(closeTestApis);

const DOC = {
  format: 'sluice/v1',
  id: 'inbound',
  nodes: [
    { id: 'http', type: 'source.http', parallelism: 3, config: { maxBuffered: 1000, partitionBy: 'user' } },
    { id: 'out', type: 'sink.file', config: { path: 'inbound.jsonl' } },
  ],
  edges: [{ id: 'e1', source: 'http', target: 'out' }],
};

describe('POST /api/ingest to a split source.http node (embedded)', () => {
  it('every record once; a request with a record without the key is refused whole', async () => {
    const { call, dataDir } = testApi();
    expect((await call('POST', '/api/pipelines', DOC)).status).toBe(201);
    expect((await call('POST', '/api/pipelines/inbound/deploy')).status).toBe(200);
    const bad = await call('POST', '/api/ingest/inbound/http', [{ user: 'u1', a: -1 }, { a: -2 }]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: 'missing-partition-key',
      message:
        'record 1 has no value in "user" (a string, number or boolean), the field that places records in node "http"\'s partitions (partitionBy); nothing was taken',
    });
    const records = Array.from({ length: 60 }, (_, a) => ({ user: `u${a % 7}`, a }));
    expect((await call('POST', '/api/ingest/inbound/http', records)).status).toBe(202);
    await waitFor(async () => ((await call('GET', '/api/pipelines/inbound/status')).json.metrics?.nodes.out.in ?? 0) >= 60);
    await call('POST', '/api/pipelines/inbound/stop');
    const lines = readFileSync(join(dataDir, 'files', 'inbound.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; a: number });
    expect(lines.map((l) => l.a).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, a) => a));
    // One user's records keep the order they were posted in (one partition).
    for (let u = 0; u < 7; u++) {
      const mine = lines.filter((l) => l.user === `u${u}`).map((l) => l.a);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
  });
});
