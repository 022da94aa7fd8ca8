/**
 * What the server answers about callers, pipelines and their versions: one definition for the
 * engine that sends it and the editor that reads it (docs/api.md). The OpenAPI description's zod
 * schemas (engine/src/api/api-schemas.ts) describe the same answers for outside clients.
 */
import type { DocumentDiff } from '../graph/diff.js';
import type { PipelineDocument } from '../graph/document.js';
import type { RunStatus } from './metrics.js';

export const ROLES = ['admin', 'editor', 'business', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** `GET /api/me`: who is calling. */
export interface Me {
  name: string;
  role: Role;
  /** False when the server runs without tokens (local-only: everyone is an admin). */
  authenticated: boolean;
  /** `local`: no tokens configured. The server always sends it; a client standing in a local caller may leave it out. */
  mode?: 'local' | 'tokens';
}

/** A pipeline's run status as the API reports it: a run's, or `not-deployed`. */
export type PipelineStatus = RunStatus | 'not-deployed';

/** One row of `GET /api/pipelines`. */
export interface PipelineSummary {
  id: string;
  name: string;
  description?: string;
  version: number;
  status: PipelineStatus;
  /** Node count. */
  nodes: number;
  /** ISO-8601 time of the last saved version. */
  updatedAt: string;
}

/** A stored pipeline: its current document and version. */
export interface StoredPipeline {
  id: string;
  /** The document as saved (not normalized: defaults stay implicit, as the author wrote it). */
  document: PipelineDocument;
  version: number;
  /** ISO-8601 time of the last saved version. */
  updatedAt: string;
  /** Folder on the server that relative paths in the document resolve against. */
  baseDir: string;
}

/** One saved version (each save and each deploy is one). */
export interface VersionInfo {
  version: number;
  /** ISO-8601 time of the save. */
  at: string;
  author: string;
  /** `create`, `save`, `deploy`, `import`, `rollback`, ... */
  action: string;
  note?: string;
}

/** `GET /api/pipelines/:id/versions/:a/diff/:b`. */
export interface VersionDiff {
  from: number;
  to: number;
  diff: DocumentDiff;
}
