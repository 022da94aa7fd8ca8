/**
 * Where pipeline documents live: the current document, every saved version (each save and each
 * deploy is a version, with time, author and an optional note), and which pipelines are
 * deployed (so a restarted server redeploys them). One small interface, one contract suite
 * (store.contract.ts); files by default (file-store.ts), PostgreSQL later.
 */
import type { ParamValue, PipelineDocument, StoredPipeline, VersionInfo } from '@sluice/shared';
import type { AlertState } from '../alerts/alert-state.js';

/** Pipeline ids, as GRAPH_FORMAT.md defines them; also safe as a folder or key name. */
export const PIPELINE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface PutMeta {
  author: string;
  action: string;
  note?: string;
  /** Set on create (or to move a pipeline's files); kept from the previous version otherwise. */
  baseDir?: string;
  /**
   * An autosave (action `draft`): when the latest version is a draft by the same author and is
   * not the deployed one, it is replaced (same number, new time and document) instead of a new
   * version being added, so building a pipeline does not leave a version per edit. Save,
   * deploy, import and rollback add versions as before (docs/versions-and-audit.md).
   */
  amendDraft?: boolean;
}

/** The action of an autosaved version, which the next autosave by the same author replaces. */
export const DRAFT_ACTION = 'draft';

export interface Deployment {
  /** The stored version that was deployed. */
  version: number;
  /** Param values the run used (the document's, with the deploy's overrides). */
  params: Record<string, ParamValue>;
  at: string;
  author: string;
  /**
   * Set when the run ended by itself (a bounded pipeline completed): the record stays as the
   * version that last ran (preview compares against it, the business page shows its values),
   * but a restarted server does not run it again.
   */
  ended?: { at: string; status: 'completed' };
}

export interface PipelineStore {
  /** The folder of pipelines created through the API (`<data>/files/`): their files, uploads. */
  readonly defaultBaseDir: string;
  /** Every pipeline, by id. */
  list(): Promise<StoredPipeline[]>;
  get(id: string): Promise<StoredPipeline | undefined>;
  /** Save a new version (creating the pipeline when new); the stored document's id is `id`. */
  put(id: string, document: PipelineDocument, meta: PutMeta): Promise<StoredPipeline>;
  /** Remove a pipeline with its versions and deployment record; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Every version's metadata, oldest first ([] for an unknown pipeline). */
  versions(id: string): Promise<VersionInfo[]>;
  getVersion(id: string, version: number): Promise<PipelineDocument | undefined>;
  /** Remember that a pipeline is deployed (null: it no longer is). */
  recordDeployment(id: string, deployment: Deployment | null): Promise<void>;
  getDeployment(id: string): Promise<Deployment | null>;
  /** Pipelines recorded as deployed: what a restarted server brings back. */
  listDeployed(): Promise<{ id: string; deployment: Deployment }[]>;
  /**
   * The alert rules' states of a deployed pipeline, by rule id (docs/alerts.md): kept with its
   * deployment record, so a restarted server goes on where it was; {} when none.
   */
  getAlertStates(id: string): Promise<Record<string, AlertState>>;
  /**
   * Writes them while the pipeline is recorded as deployed; false (nothing written) when it is
   * not: an undeploy deletes them with the record, and a late write must not bring them back.
   */
  putAlertStates(id: string, states: Record<string, AlertState>): Promise<boolean>;
}

/** Thrown for an id outside PIPELINE_ID (it would name a folder or key). */
export class InvalidPipelineIdError extends Error {
  readonly code = 'invalid-id';
  constructor(id: string) {
    super(`invalid pipeline id ${JSON.stringify(id)}: ids match [a-z0-9][a-z0-9-]{0,63}`);
  }
}

export function checkPipelineId(id: string): void {
  if (!PIPELINE_ID.test(id)) throw new InvalidPipelineIdError(id);
}
