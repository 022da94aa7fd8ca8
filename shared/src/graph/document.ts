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
}

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
