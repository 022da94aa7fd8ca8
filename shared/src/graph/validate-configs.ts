/**
 * Node configs: each type's own schema (defaults applied), its cross-field checks, then event
 * schemas inferred in topological order so expressions are checked against the params and the
 * fields that actually reach the node.
 */
import type { Diagnostic } from '../diagnostic.js';
import { checkExpression } from '../expr/api.js';
import { type EventSchema, mergeSchemas } from '../schema/event-schema.js';
import { DEFAULT_OUTPUT_PORT, type PipelineDocument, sourcePortOf, targetPortOf } from './document.js';
import type { NodeTypeRegistry } from './node-type.js';
import { formatPath, issueMessage } from './zod-issues.js';

export function validateConfigs(
  doc: PipelineDocument,
  registry: NodeTypeRegistry,
  order: readonly string[],
): { diagnostics: Diagnostic[]; document: PipelineDocument; schemas: Record<string, EventSchema | undefined> } {
  const out: Diagnostic[] = [];
  const parsed = new Map<string, Record<string, unknown>>();
  const paramTypes = Object.fromEntries(Object.entries(doc.params ?? {}).map(([k, p]) => [k, p.type]));
  const outputs = new Map<string, Record<string, EventSchema | undefined>>();
  const edgeSchemas: Record<string, EventSchema | undefined> = {};
  const visit = [...order, ...doc.nodes.map((n) => n.id).filter((id) => !order.includes(id))];
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));

  for (const id of visit) {
    const node = byId.get(id)!;
    const def = registry.get(node.type);
    if (!def) continue;
    const result = def.config.safeParse(node.config ?? {}, { reportInput: true });
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = formatPath(['config', ...issue.path]);
        const message = issueMessage(issue);
        out.push({ severity: 'error', code: message === 'missing required field' ? 'missing-config' : 'invalid-config', message, nodeId: id, path });
      }
      continue;
    }
    const config = result.data as Record<string, unknown>;
    parsed.set(id, config);
    for (const p of def.check?.(config) ?? []) {
      out.push({ severity: p.severity ?? 'error', code: p.code ?? 'invalid-config', message: p.message, nodeId: id, path: p.path });
    }
    // Input schemas per port: the union of what the edges into it carry.
    const inputs: Record<string, EventSchema | undefined> = {};
    for (const port of def.inputs) {
      const incoming = doc.edges.filter((e) => e.target === id && targetPortOf(e) === port.name);
      inputs[port.name] = incoming.length === 0 ? undefined : mergeSchemas(incoming.map((e) => outputs.get(e.source)?.[sourcePortOf(e)]));
    }
    for (const x of def.expressions?.(config) ?? []) {
      const input = inputs.in ?? Object.values(inputs)[0];
      const schema = input && x.extraFields ? { ...input, fields: { ...input.fields, ...x.extraFields } } : input;
      const r = checkExpression(x.source, schema ? { params: paramTypes, schema } : { params: paramTypes });
      for (const issue of r.issues) {
        out.push({ severity: issue.severity, code: issue.code, message: issue.message, nodeId: id, path: x.path, column: issue.column });
      }
      if (r.issues.length === 0 && x.role === 'predicate' && r.type !== 'boolean' && r.type !== 'any' && r.type !== 'null') {
        out.push({ severity: 'error', code: 'expr-type', message: `must be true or false, but gives a ${r.type}`, nodeId: id, path: x.path, column: 1 });
      }
    }
    try {
      outputs.set(id, def.inferSchema?.(config as never, { inputs }) ?? {});
    } catch {
      outputs.set(id, {});
    }
  }
  for (const e of doc.edges) edgeSchemas[e.id] = outputs.get(e.source)?.[e.sourcePort ?? DEFAULT_OUTPUT_PORT];
  const document: PipelineDocument = { ...doc, nodes: doc.nodes.map((n) => (parsed.has(n.id) ? { ...n, config: parsed.get(n.id)! } : n)) };
  return { diagnostics: out, document, schemas: edgeSchemas };
}
