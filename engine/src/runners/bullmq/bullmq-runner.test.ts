import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeRunnerContract } from '../runner.contract.js';
import { spawnWorkers } from '../../cli/spawn-workers.js';
import { BullmqRunner } from './bullmq-runner.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Tests own their prefix and leave nothing behind. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** The same contract as the embedded runner, against the real Redis, with 1 and with 3 worker processes. */
for (const workers of [1, 3]) {
  describeRunnerContract({
    name: `bullmq, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    create: async () => {
      const prefix = `sluice-test-${randomUUID().slice(0, 8)}`;
      const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
      if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: the BullMQ tests need it`);
      const local = spawnWorkers(workers, { redisUrl: REDIS_URL, prefix });
      const close = runner.close.bind(runner);
      runner.close = async () => {
        await local.stop();
        await close();
        await deleteKeys(prefix);
      };
      return runner;
    },
  });
}
