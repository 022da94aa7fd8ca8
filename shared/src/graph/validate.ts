/**
 * The document validator: every problem at once, each naming the node or edge and the path.
 * Order: size and JSON -> migration -> format -> document shape -> ids, edges, ports, cycles,
 * direction -> node configs (schema, checks, durations) -> schemas inferred along the graph ->
 * expressions checked against params and upstream fields -> params' own bounds. Later phases
 * run on what earlier ones could read, so one bad node does not hide the others' problems.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { EventSchema } from '../schema/event-schema.js';
import { CURRENT_FORMAT, LIMITS, type PipelineDocument } from './document.js';
import { documentSchema } from './document-schema.js';
import { migrateDocument, readableFormats } from './migrate.js';
import type { NodeTypeRegistry } from './node-type.js';
import { validateConfigs } from './validate-configs.js';
import { validateGraph } from './validate-graph.js';
import { jsonErrorOffset } from './json-position.js';
import { formatPath, issueMessage } from './zod-issues.js';

export interface ValidationResult {
  ok: boolean;
  /** The document with node configs parsed (defaults applied), when its shape could be read. */
  document?: PipelineDocument;
  diagnostics: Diagnostic[];
  /** Inferred event schema per edge id (undefined: unknown). */
  schemas?: Record<string, EventSchema | undefined>;
  migratedFrom?: string;
}

const err = (code: string, message: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({ severity: 'error', code, message, ...extra });

/** Parse JSON text with the limit checked first and the error's line and column. */
export function parseDocumentText(text: string): { value?: unknown; diagnostics: Diagnostic[] } {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.maxBytes) return { diagnostics: [err('too-large', `document is ${bytes} bytes; the limit is ${LIMITS.maxBytes} (5 MiB)`)] };
  try {
    return { value: JSON.parse(text), diagnostics: [] };
  } catch {
    const offset = jsonErrorOffset(text);
    const upTo = text.slice(0, Math.max(0, offset));
    const line = upTo.split('\n').length;
    const column = upTo.length - upTo.lastIndexOf('\n');
    const found = offset >= 0 && offset < text.length ? `unexpected ${JSON.stringify(text[offset])}` : 'unexpected end of text';
    return { diagnostics: [err('malformed-json', `malformed JSON at line ${line}, column ${column}: ${found}`)] };
  }
}

export function validateDocument(input: unknown, registry: NodeTypeRegistry): ValidationResult {
  let raw = input;
  if (typeof input === 'string') {
    const parsed = parseDocumentText(input);
    if (parsed.diagnostics.length > 0) return { ok: false, diagnostics: parsed.diagnostics };
    raw = parsed.value;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, diagnostics: [err('wrong-type', 'a document is a JSON object')] };
  const { document: migrated, migratedFrom } = migrateDocument(raw);
  const doc = migrated as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  if (doc.format !== CURRENT_FORMAT) {
    const got = doc.format === undefined ? 'no "format"' : `format ${JSON.stringify(doc.format)}`;
    diagnostics.push(err('unsupported-format', `${got}: this build reads ${readableFormats().map((f) => `"${f}"`).join(', ')}`, { path: 'format' }));
  }
  if (Array.isArray(doc.nodes) && doc.nodes.length > LIMITS.maxNodes) {
    diagnostics.push(err('too-large', `${doc.nodes.length} nodes; the limit is ${LIMITS.maxNodes}`, { path: 'nodes' }));
    return { ok: false, diagnostics };
  }
  if (Array.isArray(doc.edges) && doc.edges.length > LIMITS.maxEdges) {
    diagnostics.push(err('too-large', `${doc.edges.length} edges; the limit is ${LIMITS.maxEdges}`, { path: 'edges' }));
    return { ok: false, diagnostics };
  }
  const shape = documentSchema.safeParse({ ...doc, format: CURRENT_FORMAT }, { reportInput: true });
  if (!shape.success) {
    for (const issue of shape.error.issues) diagnostics.push(shapeDiagnostic(issue.path, issueMessage(issue), doc));
    return { ok: false, diagnostics };
  }
  const document = shape.data as unknown as PipelineDocument;
  const graph = validateGraph(document, registry);
  diagnostics.push(...graph.diagnostics);
  const configs = validateConfigs(document, registry, graph.order);
  diagnostics.push(...configs.diagnostics);
  diagnostics.push(...validateParams(document));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  const result: ValidationResult = { ok, document: configs.document, diagnostics, schemas: configs.schemas };
  if (migratedFrom) result.migratedFrom = migratedFrom;
  return result;
}

/** Name the node or edge of a shape problem by its id when it has one. */
function shapeDiagnostic(path: readonly PropertyKey[], message: string, doc: Record<string, unknown>): Diagnostic {
  const [head, index, ...rest] = path;
  if ((head === 'nodes' || head === 'edges') && typeof index === 'number') {
    const item = (doc[head] as unknown[])[index] as { id?: unknown } | undefined;
    const id = typeof item?.id === 'string' && item.id !== '' ? item.id : undefined;
    const where = id ? {} : { path: formatPath(path) };
    const inner = formatPath(rest);
    if (head === 'nodes') return err('wrong-type', message, id ? { nodeId: id, path: inner || 'id' } : where);
    return err('wrong-type', message, id ? { edgeId: id, path: inner || 'id' } : where);
  }
  return err(path.length === 1 && message === 'missing required field' ? 'missing-field' : 'wrong-type', message, { path: formatPath(path) });
}

function validateParams(doc: PipelineDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, p] of Object.entries(doc.params ?? {})) {
    const path = `params.${name}.value`;
    if (typeof p.value !== p.type) out.push(err('param-type', `${JSON.stringify(p.value)} is not a ${p.type}`, { path }));
    else if (typeof p.value === 'number') {
      if (p.min !== undefined && p.value < p.min) out.push(err('param-bounds', `${p.value} is below the minimum ${p.min}`, { path }));
      if (p.max !== undefined && p.value > p.max) out.push(err('param-bounds', `${p.value} is above the maximum ${p.max}`, { path }));
    }
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) out.push(err('param-bounds', `min ${p.min} is above max ${p.max}`, { path: `params.${name}` }));
  }
  return out;
}
