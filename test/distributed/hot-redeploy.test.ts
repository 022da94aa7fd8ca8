/**
 * Hot redeploy on BullMQ (real Redis, worker processes): the same cases as the embedded runner
 * (engine/src/deployments/hot-redeploy.contract.ts). Sources pause, the queues drain, state is
 * re-cut along the new plan in Redis and the workers switch to the new definition.
 */
import { randomUUID } from 'node:crypto';
import { BullmqRunner, spawnWorkers } from '@sluice/engine';
import { compiled, deletePrefixKeys, describeHotRedeploy } from '@sluice/engine/testing';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpWarm = tempFolders('sluice-warm-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

for (const workers of [1, 2]) {
  describeHotRedeploy({
    name: `bullmq, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    events: 4000,
    create: async () => {
      const prefix = `${TEST_KEY_ROOT}-${randomUUID().slice(0, 8)}`;
      const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
      if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: the BullMQ tests need it`);
      const local = spawnWorkers(workers, { redisUrl: REDIS_URL, prefix });
      // A small run first: the workers are up (they take seconds to start) before the timed one.
      const warm = await runner.deploy(compiled(warmUpDoc()), {
        baseDir: tmpWarm(),
        pipelineId: 'warm-up',
      });
      await warm.done;
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

function warmUpDoc() {
  return {
    format: 'sluice/v1',
    nodes: [
      { id: 'orders', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1, startTime: 0 } },
      { id: 'win', type: 'window', config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  };
}
