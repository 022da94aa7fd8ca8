/**
 * GET /api/workers: the BullMQ worker processes serving this server's Redis, read-only
 * (worker-list.ts): id, host, pid, labels, the partition queues each is processing now, and the
 * age of its last heartbeat. An engine without workers (embedded) answers an empty list.
 * Editors and admins only (route-policy.ts): it names the machines and processes behind the API.
 */
import { Hono } from 'hono';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import type { WorkerView } from '../../runners/bullmq/worker-list.js';
import { ApiError } from '../errors.js';

const LIST_TIMEOUT_MS = 5000;

export interface WorkersRoutesOptions {
  deployments: DeploymentManager;
  /** The BullMQ runner's listing; absent for the embedded engine. */
  list?: () => Promise<WorkerView[]>;
}

export function workersRoutes(o: WorkersRoutesOptions): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    if (!o.list) return c.json({ engine: o.deployments.runnerKind, workers: [] });
    // The runner's connection queues commands while Redis is away: bound the wait, answer 503.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${LIST_TIMEOUT_MS / 1000} s`)), LIST_TIMEOUT_MS);
    });
    try {
      return c.json({ engine: o.deployments.runnerKind, workers: await Promise.race([o.list(), timeout]) });
    } catch (err) {
      throw new ApiError(503, 'not-ready', `cannot list the workers: Redis does not answer (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  });
  return app;
}
