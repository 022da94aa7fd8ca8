/**
 * What the server answers about a pipeline's recording, previews and audit log: one definition
 * for the engine that sends it and the editor that reads it (docs/preview.md,
 * docs/versions-and-audit.md).
 */

/** One audit-log entry: who, when, what, from where. */
export interface AuditEntry {
  /** ISO-8601. */
  at: string;
  actor: string;
  role: string;
  /** create, import, save, deploy, stop, rollback, delete */
  action: string;
  pipelineId: string;
  version?: number;
  /** Human-readable changes, e.g. `surge_threshold 50 -> 60`. */
  summary: string[];
  /** The client's address. */
  address: string;
}

/** `GET /api/pipelines/:id/recording`. */
export interface RecordingStats {
  events: number;
  /** Recorded events per source node id. */
  sources: Record<string, number>;
  capacity: number;
}

export type OutputEvent = Readonly<Record<string, unknown>>;

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  delta?: number;
  /** Relative change in percent (absent when `before` is 0). */
  pct?: number;
}

export interface RowChange {
  key: string;
  change: 'changed' | 'added' | 'removed';
  before?: OutputEvent;
  after?: OutputEvent;
  fields: FieldChange[];
}

/** What would change in one sink's results, paired by key. */
export interface SinkDiff {
  key: string[];
  unchanged: number;
  changed: number;
  added: number;
  removed: number;
  /** Biggest moves first, capped. */
  rows: RowChange[];
  biggestMoves: (FieldChange & { key: string })[];
}

/** `POST /api/pipelines/:id/preview`. */
export interface PreviewResult {
  recording: { events: number; sources: Record<string, number> };
  live: { version: number | null; outputs: Record<string, OutputEvent[]>; errors: Record<string, number> };
  draft: { outputs: Record<string, OutputEvent[]>; errors: Record<string, number> };
  diff: Record<string, SinkDiff>;
  outcomes: { changed: number; total: number };
}
