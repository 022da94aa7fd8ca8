/**
 * Deployed pipelines, by id, over one Runner (embedded or BullMQ). Deploy compiles the stored
 * document (refusing an invalid one with every diagnostic), records the deploy as a version
 * and in the store, so a restarted server redeploys what was running.
 */
import { type Diagnostic, hasErrors, type ParamValue, type PipelineMetrics, type RunStatus } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { IngestHub } from '../runtime/ingest-hub.js';
import type { TapListener } from '../runtime/taps.js';
import type { RunHandle, Runner } from '../runners/runner.js';
import type { PipelineStore } from '../store/pipeline-store.js';

export class DeployError extends Error {
  constructor(
    readonly code: 'not-found' | 'invalid-document' | 'not-deployed' | 'start-failed',
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

export interface DeploymentManagerOptions {
  store: PipelineStore;
  runner: Runner;
  /** Inboxes of push sources; one per server. */
  ingest?: IngestHub;
  log?: (line: string) => void;
}

export class DeploymentManager {
  private readonly handles = new Map<string, RunHandle>();

  constructor(private readonly o: DeploymentManagerOptions) {}

  get ingest(): IngestHub | undefined {
    return this.o.ingest;
  }

  get runnerKind(): Runner['kind'] {
    return this.o.runner.kind;
  }

  async deploy(id: string, params: Record<string, unknown> = {}, author = 'anonymous'): Promise<RunHandle> {
    const stored = await this.o.store.get(id);
    if (!stored) throw new DeployError('not-found', `no pipeline "${id}"`);
    const { document, diagnostics } = compilePipeline(stored.document, params);
    if (!document || hasErrors(diagnostics)) throw new DeployError('invalid-document', `pipeline "${id}" is invalid; fix it before deploying`, diagnostics);
    await this.stop(id, false);
    const values = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
    let handle: RunHandle;
    try {
      handle = await this.o.runner.deploy(document, { baseDir: stored.baseDir, pipelineId: id, params: values, ...(this.o.ingest ? { ingest: this.o.ingest } : {}) });
    } catch (err) {
      throw new DeployError('start-failed', (err as Error).message);
    }
    this.handles.set(id, handle);
    const saved = await this.o.store.put(id, stored.document, { author, action: 'deploy', baseDir: stored.baseDir });
    await this.o.store.setDeployment(id, { version: saved.version, params: values, at: new Date().toISOString(), author });
    void handle.done.then((r) => {
      this.o.log?.(`pipeline ${id} ${r.status}${r.error ? `: ${r.error}` : ''}`);
      // A bounded pipeline that completed is no longer deployed.
      if (r.status === 'completed' && this.handles.get(id) === handle) void this.o.store.setDeployment(id, null);
    });
    return handle;
  }

  /** Stop a deployed pipeline; `undeploy` also forgets it across restarts. */
  async stop(id: string, undeploy = true): Promise<RunStatus | undefined> {
    const h = this.handles.get(id);
    if (undeploy) await this.o.store.setDeployment(id, null).catch(() => undefined);
    if (!h) return undefined;
    this.handles.delete(id);
    this.o.ingest?.close(id);
    return (await h.stop()).status;
  }

  handle(id: string): RunHandle | undefined {
    return this.handles.get(id);
  }

  status(id: string): { status: RunStatus | 'not-deployed'; metrics?: PipelineMetrics } {
    const h = this.handles.get(id);
    if (!h) return { status: 'not-deployed' };
    return { status: h.status(), metrics: h.metrics() };
  }

  tap(id: string, edgeId: string, listener: TapListener): () => void {
    const h = this.handles.get(id);
    if (!h) throw new DeployError('not-deployed', `pipeline "${id}" is not deployed`);
    return h.tap(edgeId, listener);
  }

  all(): Map<string, RunHandle> {
    return this.handles;
  }

  /** Redeploy what was deployed when the server stopped. */
  async restore(): Promise<string[]> {
    const restored: string[] = [];
    for (const p of await this.o.store.list()) {
      const d = await this.o.store.getDeployment(p.id);
      if (!d) continue;
      try {
        // BullMQ keeps state, queues and source checkpoints in Redis: re-attach, do not restart.
        const resumable = this.o.runner as Runner & { resume?: (id: string, o: { ingest?: IngestHub }) => Promise<RunHandle | undefined> };
        const resumed = resumable.resume ? await resumable.resume(p.id, this.o.ingest ? { ingest: this.o.ingest } : {}) : undefined;
        if (resumed) this.handles.set(p.id, resumed);
        else await this.deploy(p.id, d.params, d.author);
        restored.push(p.id);
      } catch (err) {
        this.o.log?.(`could not redeploy ${p.id}: ${(err as Error).message}`);
      }
    }
    return restored;
  }

  /** Server shutdown: stop embedded runs (a BullMQ runner detaches and keeps them deployed). */
  async close(): Promise<void> {
    if (this.o.runner.kind === 'embedded') for (const h of this.handles.values()) await h.stop();
    this.handles.clear();
    await this.o.runner.close();
  }
}
