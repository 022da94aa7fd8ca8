/**
 * Where pipeline documents live: the current document, every saved version (each save and each
 * deploy is a version, with time and author), and which pipelines are deployed (so a restarted
 * server redeploys them). One small interface; files by default (file-store.ts).
 */
import type { ParamValue, PipelineDocument } from '@sluice/shared';

export interface VersionInfo {
  version: number;
  at: string;
  author: string;
  /** `save`, `deploy`, `import`, ... */
  action: string;
  note?: string;
}

export interface StoredPipeline {
  id: string;
  document: PipelineDocument;
  version: number;
  updatedAt: string;
  /** Folder that relative paths in the document resolve against. */
  baseDir: string;
}

export interface Deployment {
  version: number;
  params: Record<string, ParamValue>;
  at: string;
  author: string;
}

export interface PipelineStore {
  list(): Promise<StoredPipeline[]>;
  get(id: string): Promise<StoredPipeline | undefined>;
  /** Save a new version (creating the pipeline when new). */
  put(id: string, document: PipelineDocument, meta: { author: string; action: string; note?: string; baseDir?: string }): Promise<StoredPipeline>;
  delete(id: string): Promise<boolean>;
  versions(id: string): Promise<VersionInfo[]>;
  getVersion(id: string, version: number): Promise<PipelineDocument | undefined>;
  setDeployment(id: string, deployment: Deployment | null): Promise<void>;
  getDeployment(id: string): Promise<Deployment | null>;
}
