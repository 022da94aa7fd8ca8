/**
 * A coordinator in its own process, for the server-restart test: `deploy` starts YSB on BullMQ,
 * `resume` re-attaches to the deploy found in Redis. Prints "done <json>" when the run completes.
 * Usage: tsx coordinator-process.ts deploy|resume <prefix> <count> <sinkPath>
 */
import { BullmqRunner } from '@sluice/engine';
import { ysbDocumentFor } from './ysb-fixture.js';

const [mode, prefix, count, sinkPath] = process.argv.slice(2);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runner = new BullmqRunner({ redisUrl, prefix: prefix! });
const handle =
  mode === 'resume'
    ? await runner.resume('ysb')
    : await runner.deploy(ysbDocumentFor(Number(count), sinkPath!), { baseDir: ysbDir(), batchSize: 1000, partitions: 2 });
if (!handle) throw new Error('nothing to resume');
process.stdout.write('started\n');
const result = await handle.done;
process.stdout.write(`done ${JSON.stringify({ status: result.status, nodes: result.metrics.nodes })}\n`);
await runner.close();

function ysbDir(): string {
  return new URL('../../examples/ysb/', import.meta.url).pathname;
}
