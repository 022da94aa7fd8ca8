import { parseArgs } from 'node:util';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `sluice worker`: serve deployed pipelines' queues until SIGTERM/SIGINT, then finish in-flight jobs and exit. */
export async function workerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { prefix: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const prefix = values.prefix ?? process.env.SLUICE_PREFIX ?? 'sluice';
  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  const pool = new WorkerPool({ redisUrl, prefix, ...(log ? { log } : {}) });
  await pool.start();
  log?.(`[worker ${pool.id}] serving pipelines from ${redisUrl} (prefix ${prefix})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await pool.close();
  return 0;
}
