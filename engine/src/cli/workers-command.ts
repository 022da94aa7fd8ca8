/**
 * `sluice workers [--prefix P] [--json] [--here]`: the worker processes serving REDIS_URL under
 * the prefix, read from Redis (worker-list.ts; writes nothing): id, host, pid, labels, the
 * partition queues each is processing now and the age of its last heartbeat. Exit 0, or 1 when
 * Redis does not answer. `--here`: exit 1 also when no live worker of this host is listed (a
 * container's or a systemd unit's health check; deploy/).
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { createRedisOnce, redisUrlFromEnv, redisWhere } from '../runners/bullmq/redis-client.js';
import { listWorkers, type WorkerView } from '../runners/bullmq/worker-list.js';
import { DEFAULT_REDIS_URL } from './worker-command.js';

export async function workersCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { prefix: { type: 'string' }, json: { type: 'boolean' }, here: { type: 'boolean' } } });
  const redisUrl = redisUrlFromEnv(process.env, DEFAULT_REDIS_URL)!;
  const prefix = values.prefix ?? process.env.SLUICE_PREFIX ?? 'sluice';
  const where = `Redis ${redisWhere(redisUrl)}`;
  // One try, bounded: a listing must not wait for a Redis that is away.
  const redis = createRedisOnce(redisUrl, 5000);
  let failure: Error | undefined;
  redis.on('error', (err: Error) => {
    failure ??= err;
  });
  let workers: WorkerView[];
  try {
    await redis.connect();
    workers = await listWorkers(redis, new RedisKeys(prefix));
  } catch (err) {
    process.stderr.write(`sluice workers: ${where} does not answer (set REDIS_URL): ${(failure ?? (err as Error)).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
  const missingHere = values.here === true && !workers.some((w) => w.live && w.host === hostname());
  if (missingHere) process.stderr.write(`sluice workers: no live worker of host ${hostname()} under prefix ${prefix} on ${where}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ prefix, workers }, null, 2)}\n`);
    return missingHere ? 1 : 0;
  }
  if (workers.length === 0) {
    process.stdout.write(`no workers under prefix ${prefix} on ${where}\n`);
    return missingHere ? 1 : 0;
  }
  process.stdout.write(formatTable(workers));
  const live = workers.filter((w) => w.live).length;
  process.stdout.write(
    `${live} live worker${live === 1 ? '' : 's'} under prefix ${prefix} on ${where}${live < workers.length ? `; ${workers.length - live} silent for over 5 s (gone?)` : ''}\n`,
  );
  return missingHere ? 1 : 0;
}

function formatTable(workers: WorkerView[]): string {
  const rows = [
    ['ID', 'HOST', 'PID', 'LABELS', 'HEARTBEAT', 'HOLDS'],
    ...workers.map((w) => [
      w.id,
      w.host ?? '?',
      w.pid === null ? '?' : String(w.pid),
      w.labels.length > 0 ? w.labels.join(',') : '-',
      `${(w.heartbeatAgeMs / 1000).toFixed(1)} s ago${w.live ? '' : ' (silent)'}`,
      w.holds.length > 0 ? w.holds.join(' ') : '-',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`).join('');
}
