/**
 * A Redis Cluster master restarted while a producer adds jobs: the producer's connection believes
 * BullMQ's scripts are loaded on the new process, and a retried pipeline meets NOSCRIPT. Before
 * lost-scripts.ts the error reached the run and failed it (a CI run of redis-cluster.test.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobId, QueueSet, RedisKeys } from '@sluice/engine/testing';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { OwnCluster } from './support/own-cluster.js';

let cluster: OwnCluster;
beforeAll(async () => {
  cluster = await OwnCluster.start();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

const job = (seq: number) => ({
  targetStage: 1,
  targetPartition: 0,
  job: { edge: 'e1', from: 0, to: 0, seq, wm: seq, n: 0 },
});

it('a master restarted while jobs are added: every job is enqueued once, no NOSCRIPT reaches the producer', async () => {
  const url = `redis-cluster://${cluster.nodes}`;
  const keys = new RedisKeys(`${TEST_KEY_ROOT}-lost-scripts-restart`);
  const admin = cluster.client();
  const queues = new QueueSet(url, keys, 'p');
  const errors: string[] = [];
  try {
    await admin.set(keys.runMarker('p'), '1');
    const wait = `${keys.prefix}:${keys.queue('p', 1, 0)}:wait`;
    const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', wait));
    const owner = cluster.masters.findIndex((m) => (admin.slots[slot] ?? [])[0] === `127.0.0.1:${m.port}`);
    let seq = 0;
    let stop = false;
    const producing = (async () => {
      while (!stop || seq < 200) {
        seq++;
        for (;;) {
          try {
            await queues.add([job(seq)]);
            break;
          } catch (err) {
            // A master that is down fails the add: the runner retries the same batch.
            const m = (err as Error).message;
            errors.push(m);
            if (m.includes('NOSCRIPT')) return;
          }
        }
      }
    })();
    while (seq < 100) await new Promise((r) => setImmediate(r));
    await cluster.restartMaster(owner);
    stop = true;
    await producing;
    expect(errors.filter((e) => e.includes('NOSCRIPT'))).toEqual([]);
    const waiting = await admin.lrange(wait, 0, -1);
    // Each job once: the ids of jobs 1..seq, none twice.
    expect(waiting.length).toBe(seq);
    expect(new Set(waiting)).toEqual(new Set(Array.from({ length: seq }, (_, i) => jobId('e1', 0, 0, i + 1))));
  } finally {
    await queues.close();
    admin.disconnect();
  }
}, 120_000);
