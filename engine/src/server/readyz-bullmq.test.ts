/** /readyz in BullMQ mode answers for Redis: ready while it answers, 503 when it does not. */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { type RunningServer, startServer } from './start-server.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const readyzDir = tempFolders('sluice-readyz-');

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-readyz-${process.pid}`;
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => deletePrefixKeys(REDIS, PREFIX));

async function serve(redisUrl: string) {
  const root = readyzDir();
  const s = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(root, 'data'),
    examplesDir: join(root, 'none'),
    editorDist: join(root, 'none'),
    redisUrl,
    prefix: PREFIX,
    log: () => undefined,
  });
  servers.push(s);
  return s;
}

describe('/readyz with REDIS_URL', () => {
  it('is ready, on the bullmq engine, while Redis answers', async () => {
    const s = await serve(REDIS);
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true, engine: 'bullmq' });
  });

  it('is 503 naming the engine when Redis does not answer (the liveness probe stays 200)', async () => {
    // Port 1 on loopback: nothing listens there.
    const s = await serve('redis://127.0.0.1:1');
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(503);
    expect((await r.json()).error).toMatchObject({ code: 'not-ready', message: expect.stringContaining('bullmq') });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
