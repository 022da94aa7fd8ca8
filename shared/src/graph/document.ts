/** The pipeline document, format sluice/v1 (see ../shared/GRAPH_FORMAT.md). */
import type { AlertsSection } from '../alerts/alert-rules.js';
import type { PrivacySettings } from '../privacy/privacy-settings.js';

export const CURRENT_FORMAT = 'sluice/v1';

export type ParamType = 'number' | 'string' | 'boolean';
export type ParamValue = number | string | boolean;

export interface ParamSpec {
  type: ParamType;
  value: ParamValue;
  label?: string;
  description?: string;
  unit?: string;
  exposed?: boolean;
  min?: number;
  max?: number;
}

export interface Position {
  x: number;
  y: number;
}

export interface NodeSpec {
  id: string;
  type: string;
  label?: string;
  position?: Position;
  config: Record<string, unknown>;
  /** Source nodes only: how many partitions the source is split into (default 1; docs/source-partitions.md). */
  parallelism?: number;
  /** Where the node's work may run: only on workers started with every one of these labels. */
  placement?: Placement;
}

export interface Placement {
  labels: string[];
}

/** The most partitions one source node may be split into. */
export const MAX_SOURCE_PARALLELISM = 256;

export interface EdgeSpec {
  id: string;
  source: string;
  target: string;
  sourcePort?: string;
  targetPort?: string;
}

export interface PipelineDocument {
  format: typeof CURRENT_FORMAT;
  id?: string;
  name?: string;
  description?: string;
  params?: Record<string, ParamSpec>;
  nodes: NodeSpec[];
  edges: EdgeSpec[];
  settings?: PipelineSettings;
  /** Recording, retention and masking of personal data (docs/privacy.md). */
  privacy?: PrivacySettings;
  /** Alert rules on node and edge metrics, and where to send them (docs/alerts.md). */
  alerts?: AlertsSection;
  /** Sticky notes on the canvas: editor-only, the engine ignores them (docs/graph-format.md "Notes and groups"). */
  notes?: NoteSpec[];
  /** Labelled, coloured frames around nodes: editor-only, the engine ignores them. */
  groups?: GroupSpec[];
}

/** A colour of the fixed palette, or `#rrggbb` (document-schema.ts checks which). */
export type AnnotationColor = string;

export const ANNOTATION_COLORS = ['yellow', 'orange', 'red', 'pink', 'purple', 'blue', 'teal', 'green', 'gray'] as const;

export interface NoteSpec {
  id: string;
  /** Plain text (never markdown or HTML). */
  text: string;
  position: Position;
  size?: { width: number; height: number };
  color?: AnnotationColor;
}

/** A frame drawn around its member nodes: its box follows them, so it is never stored. */
export interface GroupSpec {
  id: string;
  label: string;
  color?: AnnotationColor;
  /** Node ids; a node belongs to one group at most. */
  nodes: string[];
}

export const ANNOTATION_LIMITS = {
  maxNotes: 500,
  maxGroups: 500,
  maxNoteText: 5_000,
  maxGroupLabel: 100,
  /** A note's width and height, in canvas px. */
  minNoteSize: 40,
  maxNoteSize: 4_000,
} as const;

/** How the server treats a pipeline (docs/graph-format.md "Settings"). */
export interface PipelineSettings {
  /** Deploys run the test cases beside the document first and are refused when one fails. */
  requireTestsOnDeploy?: boolean;
}

export const DEFAULT_OUTPUT_PORT = 'out';
export const DEFAULT_INPUT_PORT = 'in';

export const LIMITS = {
  maxNodes: 5_000,
  maxEdges: 20_000,
  maxBytes: 5 * 1024 * 1024,
  maxParams: 1_000,
} as const;

export function sourcePortOf(e: EdgeSpec): string {
  return e.sourcePort ?? DEFAULT_OUTPUT_PORT;
}
export function targetPortOf(e: EdgeSpec): string {
  return e.targetPort ?? DEFAULT_INPUT_PORT;
}

/** Param values by name, with overrides (e.g. `--param name=value`) applied. */
export function paramValues(doc: PipelineDocument): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(doc.params ?? {})) out[name] = spec.value;
  return out;
}
