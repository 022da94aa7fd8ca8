/**
 * Deployed pipelines, by id, over one Runner (embedded or BullMQ). Deploy compiles the stored
 * document (refusing an invalid one with every diagnostic), records the deploy as a version
 * and in the store, so a restarted server brings back what was deployed, at the version that
 * was deployed. Deploys and stops of one pipeline are serialized: a double-click on Deploy
 * never leaves an orphaned run behind. Deploying a pipeline that is running swaps the new
 * version in between batches (hot redeploy, docs/hot-redeploy.md): unchanged nodes keep their
 * state, unchanged sources their position; when the runner cannot swap, it stops and starts.
 */
import {
  type Diagnostic,
  hasErrors,
  type ParamValue,
  type PipelineDocument,
  type PipelineMetrics,
  type RunStatus,
  type StoredPipeline,
} from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { IngestHub } from '../runtime/ingest-hub.js';
import type { TapListener } from '../runtime/taps.js';
import type { RedeployDiff } from '../compile/redeploy-diff.js';
import { type PipelinePrivacy, pipelinePrivacy } from '../privacy/pipeline-privacy.js';
import { isRunStateLost } from '../runners/bullmq/run-marker.js';
import { HotSwapRefused, type RunHandle, type Runner, type RunOptions, type RunResult } from '../runners/runner.js';
import { KeyedLock } from '../store/keyed-lock.js';
import type { Deployment, PipelineStore } from '../store/pipeline-store.js';
import { LeaderRefused, NoLeaderAnswer } from '../cluster/leader-requests.js';
import { RemoteRun } from '../cluster/run-board.js';
import { confinePaths } from './path-confinement.js';

export type DeployErrorCode = 'not-found' | 'invalid-document' | 'not-deployed' | 'start-failed';

export class DeployError extends Error {
  constructor(
    readonly code: DeployErrorCode,
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

export interface DeploymentManagerOptions {
  store: PipelineStore;
  runner: Runner;
  /** Inboxes of push sources (source.http); one per server. */
  ingest?: IngestHub;
  /**
   * Folders a deployed pipeline's file paths must stay inside (path-confinement.ts). Unset:
   * no check (tests, trusted single-user setups).
   */
  allowedRoots?: string[];
  log?: (line: string) => void;
}

/** How a deploy reached a pipeline that was already running. */
export type RedeployReport = ({ mode: 'hot' } & RedeployDiff) | { mode: 'restart'; reason: string };

export interface DeployOutcome {
  handle: RunHandle;
  /** Set when the pipeline was running: swapped in (what kept state) or stopped and started (why). */
  redeploy?: RedeployReport;
}

/**
 * How a manager on one of several servers reaches the runs (docs/multi-server.md): the leader
 * runs them here; a follower forwards deploys and stops to the leader and reads the runs from
 * what the leader publishes.
 */
export interface ClusterLink {
  /** This server holds the coordinator lease. */
  leading(): boolean;
  /** Run `op` on the leader; a NoLeaderAnswer (503) when none answers, LeaderRefused with its error. */
  forward(op: 'deploy' | 'stop', args: unknown): Promise<unknown>;
  /** The leader's runs as it last published them. */
  remote(): ReadonlyMap<string, RunHandle>;
  /** This server has just taken the lease and is still resuming the deployed runs. */
  resuming(): boolean;
}

/** A deploy forwarded to the leader, as it answers. */
export interface ForwardedDeploy {
  status: RunStatus;
  metrics: PipelineMetrics;
  redeploy?: RedeployReport;
}

const LIVE: ReadonlySet<RunStatus> = new Set(['starting', 'running']);

export function isLive(status: RunStatus): boolean {
  return LIVE.has(status);
}

export class DeploymentManager {
  private readonly handles = new Map<string, RunHandle>();
  /** Each running pipeline's privacy (docs/privacy.md), from the version that runs. */
  private readonly privacies = new Map<string, PipelinePrivacy>();
  private readonly runListeners = new Set<(id: string, handle: RunHandle) => void>();
  private sourceListener: RunOptions['onSourceEvents'];
  /** Handles whose end is already watched (a hot-swapped handle stays the same object). */
  private readonly watched = new WeakSet<RunHandle>();
  private readonly lock = new KeyedLock();
  private closing = false;
  /** Ended marks still being written: close waits for them, so nothing writes to the store after it. */
  private readonly marking = new Set<Promise<void>>();
  private cluster: ClusterLink | undefined;
  private signalClosed!: () => void;
  /** Settles when the server starts shutting down: live streams stop waiting and end. */
  readonly whenClosed = new Promise<void>((r) => (this.signalClosed = r));

  constructor(private readonly o: DeploymentManagerOptions) {}

  get ingest(): IngestHub | undefined {
    return this.o.ingest;
  }

  /** One of several servers from now on: deploys and stops go to the leader when this one does not lead. */
  joinCluster(link: ClusterLink): void {
    this.cluster = link;
  }

  /** Another server coordinates: reads come from its published runs, changes are forwarded. */
  private get following(): boolean {
    return this.cluster !== undefined && !this.cluster.leading();
  }

  /**
   * The runs this server answers for: its own, or the leader's when following. A new leader still
   * resuming answers for the runs it has not resumed yet as the last leader published them: they
   * are deployed and about to go on, not "not-deployed".
   */
  private get runs(): ReadonlyMap<string, RunHandle> {
    if (this.following) return this.cluster!.remote();
    if (this.cluster?.resuming()) return new Map([...this.cluster.remote(), ...this.handles]);
    return this.handles;
  }

  /** Live worker processes (BullMQ), undefined for an engine without workers. */
  liveWorkers(): Promise<number | undefined> {
    return this.o.runner.liveWorkers ? this.o.runner.liveWorkers() : Promise.resolve(undefined);
  }

  get runnerKind(): Runner['kind'] {
    return this.o.runner.kind;
  }

  /** True once the server shuts down: live streams end. */
  get closed(): boolean {
    return this.closing;
  }

  /** Server policy beyond the document's own validity (paths outside the allowed folders). */
  policyDiagnostics(stored: Pick<StoredPipeline, 'document' | 'baseDir'>, document: PipelineDocument = stored.document): Diagnostic[] {
    return this.o.allowedRoots ? confinePaths(document, stored.baseDir, this.o.allowedRoots) : [];
  }

  /** Deploy the current document with param overrides; replaces a running deploy of it. */
  async deploy(id: string, params: Record<string, unknown> = {}, author = 'anonymous'): Promise<RunHandle> {
    return (await this.deployReporting(id, params, author)).handle;
  }

  /** deploy(), also saying how a running pipeline was replaced (hot: kept/reset nodes; or restarted, why). */
  deployReporting(id: string, params: Record<string, unknown> = {}, author = 'anonymous'): Promise<DeployOutcome> {
    if (this.following) return this.forwardDeploy(id, params, author);
    return this.lock.run(id, async () => {
      try {
        const stored = await this.o.store.get(id);
        if (!stored) throw new DeployError('not-found', `no pipeline "${id}"`);
        const { values, ...outcome } = await this.start(stored, stored.document, params);
        const saved = await this.o.store.put(id, stored.document, { author, action: 'deploy' });
        await this.o.store.recordDeployment(id, { version: saved.version, params: values, at: new Date().toISOString(), author });
        // One line per deploy, fresh or not (docs/operations.md); a redeploy also said how above.
        this.o.log?.(`pipeline ${id} deployed as version ${saved.version} by ${author} on the ${this.o.runner.kind} engine`);
        return outcome;
      } catch (err) {
        const problems = err instanceof DeployError ? err.diagnostics.length : 0;
        this.o.log?.(
          `deploy of pipeline ${id} by ${author} failed: ${(err as Error).message}${problems > 0 ? ` (${problems} problems)` : ''}`,
        );
        throw err;
      }
    });
  }

  private async forwardDeploy(id: string, params: Record<string, unknown>, author: string): Promise<DeployOutcome> {
    const r = (await this.forwarded('deploy', { id, params, author })) as ForwardedDeploy;
    const handle = new RemoteRun(id, { run: 'forwarded', status: r.status, metrics: r.metrics, at: Date.now() });
    return r.redeploy ? { handle, redeploy: r.redeploy } : { handle };
  }

  /** A forwarded operation; a DeployError on the leader is the same DeployError here. */
  private async forwarded(op: 'deploy' | 'stop', args: unknown): Promise<unknown> {
    try {
      return await this.cluster!.forward(op, args);
    } catch (err) {
      if (err instanceof LeaderRefused && err.remote.name === 'DeployError')
        throw new DeployError(err.remote.code as DeployErrorCode, err.remote.message, (err.remote.diagnostics ?? []) as Diagnostic[]);
      // The server asked has just lost the lease (or not yet finished taking it): a 503 here too.
      if (err instanceof LeaderRefused && err.remote.code === 'no-leader') throw new NoLeaderAnswer(err.remote.message);
      throw err;
    }
  }

  private async start(
    stored: StoredPipeline,
    source: PipelineDocument,
    params: Record<string, unknown>,
  ): Promise<DeployOutcome & { values: Record<string, ParamValue> }> {
    const id = stored.id;
    const { document, diagnostics } = compilePipeline(source, params);
    const problems = document ? [...diagnostics, ...this.policyDiagnostics(stored, document)] : diagnostics;
    if (!document || hasErrors(problems))
      throw new DeployError('invalid-document', `pipeline "${id}" is invalid; fix it before deploying`, problems);
    const values = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
    let privacy: PipelinePrivacy;
    try {
      // Before anything starts: an hmac rule's unset secret refuses the deploy, naming it.
      privacy = pipelinePrivacy(document);
    } catch (err) {
      throw new DeployError('start-failed', `pipeline "${id}" did not start: ${(err as Error).message}`);
    }
    const options = {
      baseDir: stored.baseDir,
      ...(this.o.allowedRoots ? { fileRoots: this.o.allowedRoots } : {}),
      pipelineId: id,
      params: values,
      ...this.ingestOption(),
    };
    const running = this.handles.get(id);
    let redeploy: RedeployReport | undefined;
    if (running && isLive(running.status())) {
      if (running.redeploy) {
        const before = this.privacies.get(id);
        // Before the swap: the new version's first source events are recorded under its settings.
        this.privacies.set(id, privacy);
        try {
          const diff = await running.redeploy(document, options);
          this.o.log?.(
            `pipeline ${id} redeployed without a restart: kept [${diff.kept.join(', ')}], reset [${diff.reset.join(', ')}], added [${diff.added.join(', ')}], removed [${diff.removed.join(', ')}]`,
          );
          this.watch(id, running);
          return { handle: running, values, redeploy: { mode: 'hot', ...diff } };
        } catch (err) {
          if (before) this.privacies.set(id, before);
          // Not refused but failed (an operator of the new version cannot start): the running
          // version goes on untouched, as if the deploy had not happened.
          if (!(err instanceof HotSwapRefused))
            throw new DeployError(
              'start-failed',
              `pipeline "${id}" was not redeployed (the running version goes on): ${(err as Error).message}`,
            );
          redeploy = { mode: 'restart', reason: err.message };
        }
      } else redeploy = { mode: 'restart', reason: `the ${this.o.runner.kind} runner cannot swap a running pipeline` };
      this.o.log?.(`pipeline ${id} redeployed by stop and start: ${redeploy.reason}`);
    } else if (running) redeploy = { mode: 'restart', reason: `the run had ${running.status()}` };
    await this.stopRun(id);
    // Before the start: the recorder hears the first source batch under these settings, never the defaults.
    this.privacies.set(id, privacy);
    let handle: RunHandle;
    try {
      handle = await this.o.runner.deploy(document, options);
    } catch (err) {
      this.privacies.delete(id);
      this.o.ingest?.close(id);
      throw new DeployError('start-failed', `pipeline "${id}" did not start: ${(err as Error).message}`);
    }
    this.watch(id, handle);
    return redeploy ? { handle, values, redeploy } : { handle, values };
  }

  /** Be told of every source batch of every run (the recorder). One listener. */
  recordSources(listener: RunOptions['onSourceEvents']): void {
    this.sourceListener = listener;
  }

  private ingestOption(): { ingest?: IngestHub; onSourceEvents?: RunOptions['onSourceEvents'] } {
    // A wrapper, so a listener set after a run started still hears it.
    const onSourceEvents: RunOptions['onSourceEvents'] = (pid, node, events) => this.sourceListener?.(pid, node, events);
    return this.o.ingest ? { ingest: this.o.ingest, onSourceEvents } : { onSourceEvents };
  }

  /**
   * Be told of every run this manager starts, resumes or swaps in (the recorder taps its
   * sources). Returns the unsubscribe function.
   */
  onRun(listener: (id: string, handle: RunHandle) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** Hold the handle and tell the listeners (again after a hot swap: same handle, new pipeline). */
  private watch(id: string, handle: RunHandle): void {
    this.handles.set(id, handle);
    for (const l of this.runListeners) l(id, handle);
    if (this.watched.has(handle)) return;
    this.watched.add(handle);
    void handle.done.then((r) => {
      this.o.log?.(`pipeline ${id} ${r.status}${r.error ? `: ${r.error}` : ''}`);
      if (this.handles.get(id) !== handle || this.closing) return;
      // The run ended by itself: nothing takes posted events any more. A run whose Redis lost
      // its state keeps its inbox open, so ingest answers 503 (the store is unavailable) rather
      // than 409, until the pipeline is stopped or deployed again.
      if (!isRunStateLost(r.error)) this.o.ingest?.close(id);
      // A bounded pipeline that completed stays recorded as the version that last ran, marked
      // ended (not run again by a restart); a failed one stays as it is so that a restart tries
      // again. Under the pipeline's lock: a deploy still recording this run finishes first.
      if (r.status === 'completed') {
        const mark = this.lock
          .run(id, async () => {
            if (this.handles.get(id) !== handle || this.closing) return;
            const d = await this.o.store.getDeployment(id);
            if (d && !d.ended)
              await this.o.store.recordDeployment(id, { ...d, ended: { at: new Date().toISOString(), status: 'completed' } });
          })
          .catch(() => undefined);
        this.marking.add(mark);
        void mark.finally(() => this.marking.delete(mark));
      }
    });
  }

  /** Stop the run and forget the deployment (a restart will not bring it back). */
  /** The run's status after the stop, and what its bounded drain discarded (if anything). */
  stop(id: string): Promise<Pick<RunResult, 'status' | 'discarded'> | undefined> {
    if (this.following) return this.forwarded('stop', { id }) as Promise<Pick<RunResult, 'status' | 'discarded'> | undefined>;
    return this.lock.run(id, async () => {
      await this.o.store.recordDeployment(id, null).catch(() => undefined);
      this.o.ingest?.close(id);
      const r = await this.stopRun(id);
      this.privacies.delete(id);
      return r && { status: r.status, ...(r.discarded ? { discarded: r.discarded } : {}) };
    });
  }

  private async stopRun(id: string): Promise<RunResult | undefined> {
    const h = this.handles.get(id);
    if (!h) return undefined;
    this.handles.delete(id);
    return h.stop();
  }

  /**
   * Why the engine is not ready although its backing service answers: a run that Redis lost the
   * state of (run-marker.ts) stays failed here until it is stopped or deployed again.
   */
  lostState(): string | undefined {
    for (const [id, h] of this.handles) {
      const error = h.status() === 'failed' ? h.metrics().error : undefined;
      if (isRunStateLost(error)) return `pipeline ${id} failed: ${error}`;
    }
    return undefined;
  }

  /** The privacy of the version that runs (undefined when the pipeline is not running here). */
  privacyOf(id: string): PipelinePrivacy | undefined {
    return this.privacies.get(id);
  }

  handle(id: string): RunHandle | undefined {
    return this.runs.get(id);
  }

  status(id: string): { status: RunStatus | 'not-deployed'; metrics?: PipelineMetrics } {
    const h = this.runs.get(id);
    if (!h) return { status: 'not-deployed' };
    return { status: h.status(), metrics: h.metrics() };
  }

  metrics(id: string): PipelineMetrics | undefined {
    return this.runs.get(id)?.metrics();
  }

  tap(id: string, edgeId: string, listener: TapListener): () => void {
    const h = this.runs.get(id);
    if (!h) throw new DeployError('not-deployed', `pipeline "${id}" is not deployed`);
    return h.tap(edgeId, listener);
  }

  /** Every run this server holds (live or ended, until stopped or replaced); a follower's are the leader's. */
  all(): ReadonlyMap<string, RunHandle> {
    return this.runs;
  }

  /** The runs this server coordinates itself (what a leader publishes). */
  own(): ReadonlyMap<string, RunHandle> {
    return this.handles;
  }

  /**
   * This server lost the coordinator lease: detach every run at once (they stay deployed in
   * Redis; the next leader resumes them) and forget them here.
   */
  async detachAll(): Promise<void> {
    const ids = [...this.handles.keys()];
    // Forgotten first: the end of a detached run must not close its inbox or mark it ended.
    this.handles.clear();
    await this.o.runner.detachAll?.();
    if (ids.length > 0) this.o.log?.(`detached from ${ids.join(', ')}: another server coordinates them now`);
  }

  /**
   * Server start (or a server taking the leader lease; `goOn` says whether it still holds it):
   * bring back what was deployed. A runner that keeps runs outside this process
   * (BullMQ) re-attaches; otherwise the recorded version is deployed again with the recorded
   * params - not the current draft, which may hold later, undeployed edits.
   */
  async restore(goOn: () => boolean = () => true): Promise<string[]> {
    const restored: string[] = [];
    for (const { id, deployment } of await this.o.store.listDeployed()) {
      if (deployment.ended) continue; // it completed: nothing to run again
      // A cluster leader that lost the lease meanwhile resumes nothing more (docs/multi-server.md).
      if (!goOn()) break;
      try {
        await this.lock.run(id, () => this.restoreOne(id, deployment));
        restored.push(id);
      } catch (err) {
        this.o.log?.(`could not redeploy ${id}: ${(err as Error).message}`);
      }
    }
    return restored;
  }

  private async restoreOne(id: string, d: Deployment): Promise<void> {
    const resumed = this.o.runner.resume ? await this.o.runner.resume(id, this.ingestOption()) : undefined;
    if (resumed) {
      const version = await this.o.store.getVersion(id, d.version);
      // The run goes on whatever this server's environment holds: an unset hmac key redacts.
      this.privacies.set(id, pipelinePrivacy(version ?? (await this.o.store.get(id))?.document ?? {}, { missingSecret: 'redact' }));
      return this.watch(id, resumed);
    }
    const stored = await this.o.store.get(id);
    if (!stored) throw new DeployError('not-found', `no pipeline "${id}"`);
    const document = (await this.o.store.getVersion(id, d.version)) ?? stored.document;
    await this.start(stored, document, d.params);
  }

  /** Server shutdown: stop embedded runs (a BullMQ runner detaches and keeps them deployed). */
  async close(): Promise<void> {
    this.closing = true;
    this.signalClosed();
    if (this.o.runner.kind === 'embedded') await Promise.all([...this.handles.values()].map((h) => h.stop()));
    this.handles.clear();
    await this.o.runner.close();
    // A mark begun before the close would otherwise write deployment.json after it (into a data
    // folder its owner may already have removed).
    await Promise.all([...this.marking]);
  }
}
