/**
 * GET /api/cluster: the `sluice serve` processes sharing this Redis prefix, which one holds the
 * coordinator lease and since when (docs/multi-server.md). Read-only; editors and admins only
 * (route-policy.ts), like /api/workers: it names the machines behind the API. The embedded
 * engine has no cluster: one server, no lease.
 */
import { Hono } from 'hono';
import type { ClusterView } from '../../cluster/server-cluster.js';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { ApiError } from '../errors.js';

const VIEW_TIMEOUT_MS = 5000;

export interface ClusterRoutesOptions {
  deployments: DeploymentManager;
  view?: () => Promise<ClusterView>;
}

export function clusterRoutes(o: ClusterRoutesOptions): Hono {
  return new Hono().get('/', async (c) => {
    if (!o.view) return c.json({ engine: o.deployments.runnerKind, servers: [] });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${VIEW_TIMEOUT_MS / 1000} s`)), VIEW_TIMEOUT_MS);
    });
    try {
      return c.json({ engine: o.deployments.runnerKind, ...(await Promise.race([o.view(), timeout])) });
    } catch (err) {
      throw new ApiError(503, 'not-ready', `cannot read the cluster: Redis does not answer (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  });
}
