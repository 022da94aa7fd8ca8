/**
 * The document validator: every problem at once, each naming the node or edge and the path.
 * The same function runs in the editor as you type, in the API before a save and in
 * `sluice validate`. Phases (docs/graph-validation.md), each running on what the earlier ones
 * could read, so one bad node never hides the others' problems:
 *   size and JSON -> migration -> format, counts, shape -> ids, types, edges, ports,
 *   direction, cycles -> configs, checks, expressions (upstream schemas inferred on the way)
 *   -> param bounds -> reachability warnings.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { EventSchema } from '../schema/event-schema.js';
import { LIMITS, type PipelineDocument } from './document.js';
import { parseDocumentText } from './document-text.js';
import { type MigrationStep, migrateDocument, readableFormats } from './migrate.js';
import type { NodeTypeRegistry } from './node-type.js';
import { validateAnnotations } from './validate-annotations.js';
import { validateConfigs } from './validate-configs.js';
import { validateGraph } from './validate-graph.js';
import { validateParams } from './validate-params.js';
import { validateAlerts } from '../alerts/alert-rules.js';
import { validatePrivacy } from '../privacy/privacy-settings.js';
import { type Limits, validateStructure } from './validate-structure.js';
import { describeValue } from './zod-issues.js';

export type { Limits };

export interface ValidateOptions {
  /** Override LIMITS (e.g. a server with a smaller body limit). */
  limits?: Partial<Limits>;
  /** Migration steps to apply first; defaults to MIGRATIONS. */
  migrations?: readonly MigrationStep[];
}

export interface ValidationResult {
  /** True when there is no error (warnings never refuse). */
  ok: boolean;
  /**
   * The document with node configs parsed (defaults applied), whenever its shape could be read
   * whole, even with errors elsewhere (so a draft can be stored and shown). Check `ok` before running it.
   */
  document?: PipelineDocument;
  diagnostics: Diagnostic[];
  /** Inferred event schema per edge id (undefined: unknown), for the editor's field names. */
  schemas?: Record<string, EventSchema | undefined>;
  /** The format the input was written in, when it was migrated to the current one. */
  migratedFrom?: string;
}

export function validateDocument(input: unknown, registry: NodeTypeRegistry, options: ValidateOptions = {}): ValidationResult {
  const limits: Limits = { ...LIMITS, ...options.limits };
  let raw = input;
  if (typeof input === 'string') {
    const parsed = parseDocumentText(input, limits.maxBytes);
    if (parsed.diagnostics.length > 0) return { ok: false, diagnostics: parsed.diagnostics };
    raw = parsed.value;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      diagnostics: [{ severity: 'error', code: 'wrong-type', message: `a document is a JSON object, not ${describeValue(raw)}` }],
    };
  }
  const { document: migrated, migratedFrom } = migrateDocument(raw, options.migrations);
  const structure = validateStructure(migrated as Record<string, unknown>, limits, readableFormats(options.migrations));
  const diagnostics = [...structure.diagnostics];
  const result: ValidationResult = { ok: false, diagnostics };
  if (migratedFrom !== undefined) result.migratedFrom = migratedFrom;
  const doc = structure.readable;
  if (!doc) return result;

  const graph = validateGraph(doc, registry, { unreadableNodeIds: structure.unreadableNodeIds, warnings: structure.complete });
  const configs = validateConfigs({ nodes: doc.nodes, order: graph.order, edges: graph.edges, params: structure.paramTypes }, registry);
  diagnostics.push(
    ...graph.diagnostics,
    ...configs.diagnostics,
    ...validateParams(doc),
    ...validatePrivacy(doc.privacy),
    ...validateAlerts(doc.alerts, doc, { params: structure.paramTypes, schemas: configs.schemas, registry }),
    // Every node present counts as a member, readable or not: a broken node is not "missing".
    ...validateAnnotations(migrated as Record<string, unknown>, [...doc.nodes, ...[...structure.unreadableNodeIds].map((id) => ({ id }))]),
  );
  // Errors first, each group in phase order: what refuses the document leads the list.
  diagnostics.sort((a, b) => rank(a) - rank(b));

  result.ok = !diagnostics.some((d) => d.severity === 'error');
  result.schemas = configs.schemas;
  if (structure.complete) result.document = { ...doc, nodes: doc.nodes.map((n) => withConfig(n, configs.configs.get(n))) };
  return result;
}

const rank = (d: Diagnostic) => (d.severity === 'error' ? 0 : 1);

function withConfig<N extends { config: Record<string, unknown> }>(node: N, parsed: Record<string, unknown> | undefined): N {
  return parsed ? { ...node, config: parsed } : node;
}
