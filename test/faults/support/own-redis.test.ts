import { afterAll, describe, expect, it } from 'vitest';
import { OwnRedis } from './own-redis.js';

const started: OwnRedis[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

describe('a Redis of the drill own', () => {
  it('loses its data on shutdown nosave without AOF, keeps it across kill -9 with AOF', async () => {
    const plain = await OwnRedis.start();
    started.push(plain);
    const c1 = plain.client();
    await c1.set('k', 'v');
    c1.disconnect();
    await plain.shutdownNosave();
    await plain.restart();
    const c2 = plain.client();
    expect(await c2.get('k')).toBeNull();
    c2.disconnect();

    const aof = await OwnRedis.start({ aof: true });
    started.push(aof);
    const c3 = aof.client();
    await c3.set('k', 'v');
    c3.disconnect();
    await aof.kill9();
    await aof.restart();
    const c4 = aof.client();
    expect(await c4.get('k')).toBe('v');
    c4.disconnect();
  });
});
