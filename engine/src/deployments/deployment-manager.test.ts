/** The deployment manager on the real embedded runner and file store: deploy, stop, restart. */
import { tempFolders } from '@sluice/nodes/testing';
import type { PipelineDocument } from '@sluice/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import type { RunHandle, Runner } from '../runners/runner.js';
import { IngestHub } from '../runtime/ingest-hub.js';
import { FileStore } from '../store/file-store.js';
import { DeployError, DeploymentManager } from './deployment-manager.js';

const deployDir = tempFolders('sluice-deploy-');

const managers: DeploymentManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

function doc(count?: number): PipelineDocument {
  return {
    format: 'sluice/v1',
    params: { min_q: { type: 'number', value: 1 } },
    nodes: [
      {
        id: 'orders',
        type: 'source.generator',
        config: { scenario: 'orders', rate: count ? 100_000 : 1000, seed: 1, ...(count ? { count } : {}) },
      },
      { id: 'big', type: 'filter', config: { expression: 'quantity >= params.min_q' } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'big' },
      { id: 'e2', source: 'big', target: 'out' },
    ],
  };
}

/** The embedded runner, remembering every handle it gave out. */
class CountingRunner implements Runner {
  readonly kind = 'embedded' as const;
  readonly handles: RunHandle[] = [];
  private readonly inner = new EmbeddedRunner();
  /** `swaps: false`: handles without hot redeploy (as a runner that cannot swap). */
  constructor(private readonly swaps = true) {}
  async deploy(...args: Parameters<Runner['deploy']>) {
    const h = await this.inner.deploy(...args);
    const handle: RunHandle = this.swaps
      ? h
      : {
          pipelineId: h.pipelineId,
          done: h.done,
          status: () => h.status(),
          metrics: () => h.metrics(),
          stop: () => h.stop(),
          tap: (e, l) => h.tap(e, l),
        };
    this.handles.push(handle);
    return handle;
  }
  close() {
    return this.inner.close();
  }
}

function manager(store: FileStore, runner: Runner = new EmbeddedRunner(), log?: (l: string) => void) {
  const m = new DeploymentManager({ store, runner, ingest: new IngestHub(), ...(log ? { log } : {}) });
  managers.push(m);
  return m;
}

const freshStore = () => new FileStore({ dataDir: deployDir() });

describe('DeploymentManager', () => {
  it('records a deploy as a version and in the store; stop forgets it', async () => {
    const store = freshStore();
    await store.put('p', doc(), { author: 'ana', action: 'create' });
    const m = manager(store);
    const h = await m.deploy('p', { min_q: 2 }, 'ops');
    expect(h.status()).toBe('running');
    expect(await store.getDeployment('p')).toMatchObject({ version: 2, author: 'ops', params: { min_q: 2 } });
    expect((await store.versions('p')).map((v) => v.action)).toEqual(['create', 'deploy']);
    expect(await m.stop('p')).toEqual({ status: 'stopped' });
    expect(await store.getDeployment('p')).toBeNull();
    expect(m.status('p')).toEqual({ status: 'not-deployed' });
    expect(await m.stop('p')).toBeUndefined();
  });

  it('logs a line per deploy, fresh or failed (issue 11 item 17)', async () => {
    const store = freshStore();
    await store.put('p', doc(), { author: 'ana', action: 'create' });
    const lines: string[] = [];
    const m = manager(store, new EmbeddedRunner(), (l) => lines.push(l));
    await m.deploy('p', {}, 'ops');
    await expect(m.deploy('nope', {}, 'ops')).rejects.toMatchObject({ code: 'not-found' });
    expect(lines).toContain('pipeline p deployed as version 2 by ops on the embedded engine');
    expect(lines).toContain('deploy of pipeline nope by ops failed: no pipeline "nope"');
    await m.stop('p');
  });

  it('refuses unknown and invalid pipelines with typed errors and every diagnostic', async () => {
    const store = freshStore();
    const m = manager(store);
    await expect(m.deploy('nope')).rejects.toMatchObject({ code: 'not-found' });
    const bad = doc();
    bad.nodes[1]!.config = { expression: 'quantity >' };
    await store.put('bad', bad, { author: 'a', action: 'save' });
    const err = await m.deploy('bad').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployError);
    expect((err as DeployError).diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'big', path: 'config.expression' }));
  });

  it('a restarted server redeploys what was deployed, at the deployed version, without a new version', async () => {
    const store = freshStore();
    await store.put('p', doc(), { author: 'ana', action: 'create' });
    const before = manager(store);
    await before.deploy('p', { min_q: 2 });
    // A later draft, not deployed (even an invalid one) must not be what comes back.
    const draft = doc();
    draft.nodes[1]!.config = { expression: 'quantity >' };
    await store.put('p', draft, { author: 'ana', action: 'save' });
    await before.close();
    expect(await store.getDeployment('p')).not.toBeNull();

    const after = manager(store);
    expect(await after.restore()).toEqual(['p']);
    expect(after.handle('p')!.status()).toBe('running');
    expect((await store.versions('p')).map((v) => v.action)).toEqual(['create', 'deploy', 'save']);
    await vi.waitFor(() => expect(after.metrics('p')!.nodes.orders!.out).toBeGreaterThan(0), { timeout: 10_000 });
  });

  it('a restore that fails is logged and the others still come back', async () => {
    const store = freshStore();
    await store.put('a', doc(), { author: 'x', action: 'save' });
    await store.put('b', doc(), { author: 'x', action: 'save' });
    await store.recordDeployment('a', { version: 1, params: { min_q: 'not a number' }, at: '', author: 'x' });
    await store.recordDeployment('b', { version: 1, params: {}, at: '', author: 'x' });
    const lines: string[] = [];
    const m = manager(store, new EmbeddedRunner(), (l) => lines.push(l));
    expect(await m.restore()).toEqual(['b']);
    expect(lines.join('\n')).toMatch(/could not redeploy a/);
  });

  it('a bounded pipeline that completes stays recorded as the version that last ran, marked ended, and a restart does not run it again', async () => {
    const store = freshStore();
    await store.put('p', doc(200), { author: 'a', action: 'save' });
    const m = manager(store);
    const h = await m.deploy('p', { min_q: 3 }, 'ana');
    expect((await h.done).status).toBe('completed');
    await vi.waitFor(async () => expect((await store.getDeployment('p'))?.ended).toMatchObject({ status: 'completed' }));
    expect(await store.getDeployment('p')).toMatchObject({ version: 2, params: { min_q: 3 }, author: 'ana' });
    expect(m.status('p').status).toBe('completed');
    const restarted = manager(store);
    expect(await restarted.restore()).toEqual([]);
    expect(restarted.status('p')).toEqual({ status: 'not-deployed' });
  });

  it('close waits for the ended mark of a run that completed just before: nothing writes to the store after it', async () => {
    // A real file store that counts its calls still under way and can hold the mark's read:
    // a mark written after close recreated deployment.json in a data folder already removed.
    let active = 0;
    let hold: Promise<void> | undefined;
    let markStarted!: () => void;
    const started = new Promise<void>((r) => (markStarted = r));
    class CountingStore extends FileStore {
      override async getDeployment(id: string) {
        active++;
        try {
          if (hold) {
            markStarted();
            await hold;
          }
          return await super.getDeployment(id);
        } finally {
          active--;
        }
      }
      override async recordDeployment(id: string, d: Parameters<FileStore['recordDeployment']>[1]) {
        active++;
        try {
          return await super.recordDeployment(id, d);
        } finally {
          active--;
        }
      }
    }
    const store = new CountingStore({ dataDir: deployDir() });
    await store.put('p', doc(20), { author: 'a', action: 'save' });
    const m = manager(store);
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const h = await m.deploy('p', {}, 'ana');
    expect((await h.done).status).toBe('completed');
    await started;
    const closed = m.close();
    release();
    await closed;
    expect(active).toBe(0);
  });

  it('deploys racing on one pipeline leave exactly one run (the later ones are swapped into it)', async () => {
    const store = freshStore();
    await store.put('p', doc(), { author: 'a', action: 'save' });
    const runner = new CountingRunner();
    const m = manager(store, runner);
    await Promise.all([m.deploy('p'), m.deploy('p'), m.deploy('p')]);
    expect(runner.handles).toHaveLength(1);
    expect(runner.handles[0]!.status()).toBe('running');
    expect(m.handle('p')).toBe(runner.handles[0]);
  });

  it('deploys racing on a runner that cannot swap stop each run before starting the next', async () => {
    const store = freshStore();
    await store.put('p', doc(), { author: 'a', action: 'save' });
    const runner = new CountingRunner(false);
    const m = manager(store, runner);
    await Promise.all([m.deploy('p'), m.deploy('p'), m.deploy('p')]);
    expect(runner.handles.map((h) => h.status())).toEqual(['stopped', 'stopped', 'running']);
    expect(m.handle('p')).toBe(runner.handles[2]);
  });
});
