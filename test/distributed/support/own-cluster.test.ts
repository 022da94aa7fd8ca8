import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { OwnCluster } from './own-cluster.js';

let cluster: OwnCluster | undefined;
afterAll(async () => {
  await cluster?.stop();
});

async function keysOn(port: number): Promise<number> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    return await r.dbsize();
  } finally {
    r.disconnect();
  }
}

describe('a Redis Cluster of the test own', () => {
  it('spreads keys over three masters, and a master restarted after kill -9 keeps its keys', async () => {
    cluster = await OwnCluster.start();
    const c = cluster.client();
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `{k${i}}:v`);
      for (const k of keys) await c.set(k, k);
      const perMaster = await Promise.all(cluster.masters.map((m) => keysOn(m.port)));
      expect(perMaster.every((n) => n > 0)).toBe(true);
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(keys.length);
      await cluster.restartMaster(1);
      for (const k of keys) expect(await c.get(k)).toBe(k);
    } finally {
      c.disconnect();
    }
  }, 120_000);
});
