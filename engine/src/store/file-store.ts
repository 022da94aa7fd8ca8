/**
 * The file store, under a data folder:
 *
 *   <dataDir>/pipelines/<id>/current.json      the current document with its metadata
 *   <dataDir>/pipelines/<id>/versions/<n>.json every version (document, time, author, note)
 *   <dataDir>/pipelines/<id>/deployment.json   present while the pipeline is deployed
 *   <dataDir>/pipelines/<id>/alert-states.json its alert rules' states, removed with deployment.json
 *
 * Every write is atomic (atomic-write.ts): a crash leaves the old file or the new one, plus at
 * worst a hidden `*.tmp` file that readers never look at. A version file is written before
 * `current.json`, so `current.json` never names a version that is not on disk.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineDocument, StoredPipeline, VersionInfo } from '@sluice/shared';
import type { AlertState } from '../alerts/alert-state.js';
import { writeFileAtomic } from './atomic-write.js';
import { KeyedLock } from './keyed-lock.js';
import { checkPipelineId, DRAFT_ACTION, type Deployment, PIPELINE_ID, type PipelineStore, type PutMeta } from './pipeline-store.js';

interface VersionFile extends VersionInfo {
  document: PipelineDocument;
}

export interface FileStoreOptions {
  dataDir: string;
  /** baseDir of pipelines created without one (default `<dataDir>/files`). */
  defaultBaseDir?: string;
}

export class FileStore implements PipelineStore {
  readonly dataDir: string;
  readonly defaultBaseDir: string;
  private readonly lock = new KeyedLock();

  constructor(o: FileStoreOptions) {
    this.dataDir = o.dataDir;
    this.defaultBaseDir = o.defaultBaseDir ?? join(o.dataDir, 'files');
  }

  private dir(id: string): string {
    checkPipelineId(id);
    return join(this.dataDir, 'pipelines', id);
  }

  private async ids(): Promise<string[]> {
    try {
      return (await readdir(join(this.dataDir, 'pipelines'))).filter((id) => PIPELINE_ID.test(id)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async list(): Promise<StoredPipeline[]> {
    const out: StoredPipeline[] = [];
    for (const id of await this.ids()) {
      const p = await this.get(id);
      if (p) out.push(p);
    }
    return out;
  }

  async get(id: string): Promise<StoredPipeline | undefined> {
    return readJson<StoredPipeline>(join(this.dir(id), 'current.json'));
  }

  put(id: string, document: PipelineDocument, meta: PutMeta): Promise<StoredPipeline> {
    return this.lock.run(id, async () => {
      const dir = this.dir(id);
      const prev = await this.get(id);
      const version = prev && (await this.amendable(id, prev.version, meta)) ? prev.version : (prev?.version ?? 0) + 1;
      const at = new Date().toISOString();
      const doc = { ...document, id };
      const v: VersionFile = {
        version,
        at,
        author: meta.author,
        action: meta.action,
        ...(meta.note ? { note: meta.note } : {}),
        document: doc,
      };
      await writeFileAtomic(join(dir, 'versions', `${version}.json`), JSON.stringify(v, null, 2));
      const stored: StoredPipeline = {
        id,
        document: doc,
        version,
        updatedAt: at,
        baseDir: meta.baseDir ?? prev?.baseDir ?? this.defaultBaseDir,
      };
      await writeFileAtomic(join(dir, 'current.json'), JSON.stringify(stored, null, 2));
      return stored;
    });
  }

  /** The latest version may be replaced: an autosave after an autosave by the same author, not deployed. */
  private async amendable(id: string, version: number, meta: PutMeta): Promise<boolean> {
    if (!meta.amendDraft || meta.action !== DRAFT_ACTION) return false;
    const latest = (await this.versions(id)).at(-1);
    if (latest?.version !== version || latest.action !== DRAFT_ACTION || latest.author !== meta.author) return false;
    return (await this.getDeployment(id))?.version !== version;
  }

  delete(id: string): Promise<boolean> {
    return this.lock.run(id, async () => {
      const dir = this.dir(id);
      if (!(await this.get(id))) return false;
      await rm(dir, { recursive: true, force: true });
      return true;
    });
  }

  async versions(id: string): Promise<VersionInfo[]> {
    const dir = join(this.dir(id), 'versions');
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return [];
    }
    const out: VersionInfo[] = [];
    for (const f of files) {
      if (!/^\d+\.json$/.test(f)) continue;
      const v = await readJson<VersionFile>(join(dir, f));
      if (v) {
        const { document: _doc, ...info } = v;
        out.push(info);
      }
    }
    return out.sort((a, b) => a.version - b.version);
  }

  async getVersion(id: string, version: number): Promise<PipelineDocument | undefined> {
    if (!Number.isSafeInteger(version) || version < 1) return undefined;
    return (await readJson<VersionFile>(join(this.dir(id), 'versions', `${version}.json`)))?.document;
  }

  recordDeployment(id: string, deployment: Deployment | null): Promise<void> {
    return this.lock.run(id, async () => {
      const path = join(this.dir(id), 'deployment.json');
      if (deployment === null) {
        await rm(join(this.dir(id), 'alert-states.json'), { force: true });
        return rm(path, { force: true });
      }
      // A record for a deleted pipeline would leave a folder without current.json behind.
      if (!(await this.get(id))) throw new Error(`no pipeline "${id}" to record a deployment for`);
      await writeFileAtomic(path, JSON.stringify(deployment, null, 2));
    });
  }

  async getDeployment(id: string): Promise<Deployment | null> {
    return (await readJson<Deployment>(join(this.dir(id), 'deployment.json'))) ?? null;
  }

  async listDeployed(): Promise<{ id: string; deployment: Deployment }[]> {
    const out: { id: string; deployment: Deployment }[] = [];
    for (const id of await this.ids()) {
      const deployment = await this.getDeployment(id);
      if (deployment && (await this.get(id))) out.push({ id, deployment });
    }
    return out;
  }

  async getAlertStates(id: string): Promise<Record<string, AlertState>> {
    return (await readJson<Record<string, AlertState>>(join(this.dir(id), 'alert-states.json'))) ?? {};
  }

  putAlertStates(id: string, states: Record<string, AlertState>): Promise<boolean> {
    // Under the pipeline's lock: an undeploy (recordDeployment null) cannot slip in between.
    return this.lock.run(id, async () => {
      if ((await this.getDeployment(id)) === null) return false;
      await writeFileAtomic(join(this.dir(id), 'alert-states.json'), JSON.stringify(states));
      return true;
    });
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    // Atomic writes rule this out for our own files; say which file a hand edit broke.
    throw new Error(`${path} is not valid JSON (${(err as Error).message})`);
  }
}
