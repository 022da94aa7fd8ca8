/**
 * The file store: `<dataDir>/pipelines/<id>/pipeline.json` (current document and metadata),
 * `versions/<n>.json`, `deployment.json`. Every write is atomic (atomic-write.ts); leftover
 * `*.tmp` files from a crash are ignored.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineDocument } from '@sluice/shared';
import { writeFileAtomic } from './atomic-write.js';
import type { Deployment, PipelineStore, StoredPipeline, VersionInfo } from './pipeline-store.js';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface VersionFile extends VersionInfo {
  document: PipelineDocument;
}

export class FileStore implements PipelineStore {
  constructor(readonly dataDir: string) {}

  private dir(id: string): string {
    if (!ID.test(id)) throw new Error(`invalid pipeline id ${JSON.stringify(id)}`);
    return join(this.dataDir, 'pipelines', id);
  }

  async list(): Promise<StoredPipeline[]> {
    let ids: string[];
    try {
      ids = await readdir(join(this.dataDir, 'pipelines'));
    } catch {
      return [];
    }
    const out: StoredPipeline[] = [];
    for (const id of ids.sort()) {
      if (!ID.test(id)) continue;
      const p = await this.get(id);
      if (p) out.push(p);
    }
    return out;
  }

  async get(id: string): Promise<StoredPipeline | undefined> {
    return readJson<StoredPipeline>(join(this.dir(id), 'pipeline.json'));
  }

  async put(id: string, document: PipelineDocument, meta: { author: string; action: string; note?: string; baseDir?: string }): Promise<StoredPipeline> {
    const prev = await this.get(id);
    const version = (prev?.version ?? 0) + 1;
    const at = new Date().toISOString();
    const doc = { ...document, id };
    const v: VersionFile = { version, at, author: meta.author, action: meta.action, document: doc, ...(meta.note ? { note: meta.note } : {}) };
    await writeFileAtomic(join(this.dir(id), 'versions', `${version}.json`), JSON.stringify(v, null, 2));
    const stored: StoredPipeline = { id, document: doc, version, updatedAt: at, baseDir: meta.baseDir ?? prev?.baseDir ?? this.dataDir };
    await writeFileAtomic(join(this.dir(id), 'pipeline.json'), JSON.stringify(stored, null, 2));
    return stored;
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    await rm(this.dir(id), { recursive: true, force: true });
    return true;
  }

  async versions(id: string): Promise<VersionInfo[]> {
    let files: string[];
    try {
      files = await readdir(join(this.dir(id), 'versions'));
    } catch {
      return [];
    }
    const out: VersionInfo[] = [];
    for (const f of files) {
      if (!/^\d+\.json$/.test(f)) continue;
      const v = await readJson<VersionFile>(join(this.dir(id), 'versions', f));
      if (v) {
        const { document: _doc, ...info } = v;
        out.push(info);
      }
    }
    return out.sort((a, b) => a.version - b.version);
  }

  async getVersion(id: string, version: number): Promise<PipelineDocument | undefined> {
    return (await readJson<VersionFile>(join(this.dir(id), 'versions', `${version}.json`)))?.document;
  }

  async setDeployment(id: string, deployment: Deployment | null): Promise<void> {
    const path = join(this.dir(id), 'deployment.json');
    if (deployment === null) await rm(path, { force: true });
    else await writeFileAtomic(path, JSON.stringify(deployment, null, 2));
  }

  async getDeployment(id: string): Promise<Deployment | null> {
    return (await readJson<Deployment>(join(this.dir(id), 'deployment.json'))) ?? null;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
