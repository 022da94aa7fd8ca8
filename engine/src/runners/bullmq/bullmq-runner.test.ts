import { randomUUID } from 'node:crypto';
import { describeRunnerContract } from '../runner.contract.js';
import { spawnWorkers } from '../../cli/spawn-workers.js';
import { BullmqRunner } from './bullmq-runner.js';
import { deletePrefixKeys } from './test-keys.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The same contract as the embedded runner, against the real Redis, with 1 and with 3 worker processes. */
for (const workers of [1, 3]) {
  describeRunnerContract({
    name: `bullmq, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    timeoutMs: 180_000,
    create: async () => {
      const prefix = `${TEST_KEY_ROOT}-${randomUUID().slice(0, 8)}`;
      const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
      if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: the BullMQ tests need it`);
      const local = spawnWorkers(workers, { redisUrl: REDIS_URL, prefix });
      // Every stage runs on workers, sources included: a test's clock starts once they serve.
      const deadline = Date.now() + 120_000;
      while ((await runner.liveWorkers()) < workers) {
        if (Date.now() > deadline) throw new Error(`${workers} worker processes did not start within 120 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const close = runner.close.bind(runner);
      runner.close = async () => {
        await local.stop();
        await close();
        await deletePrefixKeys(REDIS_URL, prefix);
      };
      return runner;
    },
  });
}
