/**
 * `sluice serve` / `pnpm start`: the API and the built editor on one port, the embedded engine
 * (or BullMQ when REDIS_URL is set), the store under the data folder, examples on first start.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp } from '../api/app.js';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { IngestHub } from '../runtime/ingest-hub.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import type { Runner } from '../runners/runner.js';
import { FileStore } from '../store/file-store.js';
import { loadExamples } from './load-examples.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  redisUrl?: string;
  prefix?: string;
  log: (line: string) => void;
}

export async function startServer(o: ServerOptions) {
  const store = new FileStore(o.dataDir);
  const bullmq = o.redisUrl ? new BullmqRunner({ redisUrl: o.redisUrl, prefix: o.prefix ?? 'sluice' }) : undefined;
  const runner: Runner = bullmq ?? new EmbeddedRunner();
  const deployments = new DeploymentManager({ store, runner, log: o.log, ingest: new IngestHub() });
  const loaded = await loadExamples(store, resolve(ROOT, 'examples'));
  if (loaded.length > 0) o.log(`loaded example pipelines: ${loaded.join(', ')}`);
  const restored = await deployments.restore();
  if (restored.length > 0) o.log(`redeployed: ${restored.join(', ')}`);
  const app = createApp({ store, deployments, dataDir: o.dataDir, ...(bullmq ? { ready: () => bullmq.ready() } : {}) });
  const editorDist = resolve(ROOT, 'editor/dist');
  if (existsSync(editorDist)) {
    app.use('/*', serveStatic({ root: editorDist }));
    app.get('*', serveStatic({ path: resolve(editorDist, 'index.html') }));
  }
  const server = serve({ fetch: app.fetch, port: o.port, hostname: o.host });
  await new Promise<void>((r, reject) => {
    server.once('listening', () => r());
    server.once('error', reject);
  });
  o.log(`Sluice on http://${o.host}:${o.port} (${runner.kind} engine${bullmq ? ` on ${o.redisUrl}` : ''}; data in ${o.dataDir})`);
  if (!existsSync(editorDist)) o.log('the editor is not built: the API is served alone');
  return {
    app,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await deployments.close();
    },
  };
}
