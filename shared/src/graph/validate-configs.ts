/**
 * Node configs, visited in topological order: each type's own schema (defaults applied,
 * durations checked), its cross-field `check`, its expressions, then the schema of its output
 * events, so the next node's expressions are checked against the fields that reach it.
 */
import type { Diagnostic } from '../diagnostic.js';
import { type EventSchema, mergeSchemas } from '../schema/event-schema.js';
import { type EdgeSpec, type NodeSpec, type ParamType, sourcePortOf, targetPortOf } from './document.js';
import { envRefFields, envRefProblem, misplacedEnvRefs } from './env-refs.js';
import type { NodeTypeInfo, NodeTypeRegistry } from './node-type.js';
import { configKeyWarnings } from './validate-config-keys.js';
import { checkExpressionFields } from './validate-expressions.js';
import { checkFieldRefs } from './validate-field-refs.js';
import { describeIssue, formatPath } from './zod-issues.js';

export interface ConfigsInput {
  nodes: readonly NodeSpec[];
  /** Node ids in the order to visit (upstream first). */
  order: readonly string[];
  /** Edges that connect existing nodes and ports. */
  edges: readonly EdgeSpec[];
  params: Record<string, ParamType>;
}

export interface ConfigsResult {
  diagnostics: Diagnostic[];
  /** Parsed config (defaults applied) per node, when it passed its schema. */
  configs: Map<NodeSpec, Record<string, unknown>>;
  /** Inferred event schema per edge id (undefined: unknown). */
  schemas: Record<string, EventSchema | undefined>;
}

export function validateConfigs(input: ConfigsInput, registry: NodeTypeRegistry): ConfigsResult {
  const out: Diagnostic[] = [];
  const configs = new Map<NodeSpec, Record<string, unknown>>();
  const outputs = new Map<string, Record<string, EventSchema | undefined>>();
  const incoming = new Map<string, EdgeSpec[]>();
  for (const e of input.edges) {
    const list = incoming.get(e.target);
    if (list) list.push(e);
    else incoming.set(e.target, [e]);
  }

  const first = new Map<string, NodeSpec>();
  for (const n of input.nodes) if (!first.has(n.id)) first.set(n.id, n);
  // Upstream first; a node sharing another's id is still checked, with nothing known upstream.
  const visit = [...input.order.map((id) => first.get(id)!), ...input.nodes.filter((n) => first.get(n.id) !== n)];

  for (const node of visit) {
    const def = registry.get(node.type);
    if (!def) continue;
    const isFirst = first.get(node.id) === node;
    const inputs: Record<string, EventSchema | undefined> = {};
    for (const port of def.inputs) {
      const edges = isFirst ? (incoming.get(node.id) ?? []).filter((e) => targetPortOf(e) === port.name) : [];
      inputs[port.name] = edges.length === 0 ? undefined : mergeSchemas(edges.map((e) => outputs.get(e.source)?.[sourcePortOf(e)]));
    }
    const found: Diagnostic[] = [];
    const config = checkConfig(node, def, inputs, input.params, found);
    // A later copy of a duplicate id: its paths name it by index, as its duplicate-node-id does.
    const at = isFirst ? '' : `nodes[${input.nodes.indexOf(node)}].`;
    for (const d of found) out.push(at === '' ? d : { ...d, path: `${at}${d.path ?? 'config'}` });
    if (config) configs.set(node, config);
    if (config && isFirst) outputs.set(node.id, infer(def, config, inputs));
  }

  const schemas: Record<string, EventSchema | undefined> = {};
  for (const e of input.edges) schemas[e.id] = outputs.get(e.source)?.[sourcePortOf(e)];
  return { diagnostics: out, configs, schemas };
}

/** The parsed config, or undefined after reporting why it does not parse. */
function checkConfig(
  node: NodeSpec,
  def: NodeTypeInfo,
  inputs: Record<string, EventSchema | undefined>,
  params: Record<string, ParamType>,
  out: Diagnostic[],
): Record<string, unknown> | undefined {
  const nodeId = node.id;
  const input = inputs.in ?? Object.values(inputs).find((s) => s !== undefined);
  for (const p of configKeyWarnings(node.config, def))
    out.push({ severity: 'warning', code: p.code!, message: p.message, nodeId, path: p.path });
  // ${env:NAME} outside the type's connection fields would read (or let an expression probe) the
  // server's environment: refused, and the text is checked as it stands.
  const allowed = def.envRefFields ?? [];
  for (const path of misplacedEnvRefs(node.config, allowed)) {
    const where =
      allowed.length > 0
        ? `only in the connection fields of a ${def.type} (${allowed.map((f) => `config.${f}`).join(', ')})`
        : `only in connection fields; a ${def.type} has none`;
    out.push({
      severity: 'error',
      code: 'env-ref-not-allowed',
      nodeId,
      path,
      message: `\${env:...} is resolved ${where}: a path, expression or prefix never reads the server's environment`,
    });
  }
  // Allowed fields: their value is known at deploy only. Their shape is checked then; here a
  // stand-in (the type's example) takes their place, and the reference itself is kept.
  const refs = new Map([...envRefFields(node.config)].filter(([f]) => allowed.includes(f)));
  let raw = node.config as unknown;
  if (refs.size > 0) {
    const example = def.example as Record<string, unknown>;
    const masked: Record<string, unknown> = { ...(node.config as Record<string, unknown>) };
    for (const field of refs.keys()) {
      const why = envRefProblem(masked[field] as string);
      if (why) out.push({ severity: 'error', code: 'invalid-env-ref', message: why, nodeId, path: `config.${field}` });
      masked[field] = typeof example?.[field] === 'string' ? example[field] : (masked[field] as string).replace(/\$\{env:[^}]*\}/g, 'x');
    }
    raw = masked;
  }
  const result = def.config.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const reported = new Set<string>();
    for (const issue of result.error.issues) {
      const path = formatPath(['config', ...issue.path]);
      const { message, missing } = describeIssue(issue);
      reported.add(path);
      out.push({ severity: 'error', code: missing ? 'missing-config' : 'invalid-config', message, nodeId, path });
    }
    // Still check the expressions that can be found, so one missing field does not hide them.
    const fields = attempt(() => def.expressions?.(node.config)) ?? [];
    out.push(...checkExpressionFields(fields, { nodeId, params, input, skip: (p) => reported.has(p) }));
    return undefined;
  }
  const config = result.data as Record<string, unknown>;
  const problems = attempt(() => def.check?.(config));
  if (problems === null)
    out.push({ severity: 'error', code: 'check-failed', message: `the ${def.type} check of this config failed`, nodeId, path: 'config' });
  for (const field of refs.keys()) config[field] = (node.config as Record<string, unknown>)[field];
  for (const p of problems ?? []) {
    if ([...refs.keys()].some((f) => p.path === `config.${f}`)) continue; // the stand-in's, not the document's
    out.push({ severity: p.severity ?? 'error', code: p.code ?? 'invalid-config', message: p.message, nodeId, path: p.path });
  }
  out.push(...checkExpressionFields(attempt(() => def.expressions?.(config)) ?? [], { nodeId, params, input }));
  out.push(...checkFieldRefs(attempt(() => def.fieldRefs?.(config)) ?? [], nodeId, input));
  return config;
}

function infer(def: NodeTypeInfo, config: Record<string, unknown>, inputs: Record<string, EventSchema | undefined>) {
  // A type without inferSchema says nothing about its output: downstream fields are unknown.
  return attempt(() => def.inferSchema?.(config, { inputs })) ?? {};
}

/** The result, undefined when there is none, null when the definition threw (a bug in it, not in the document). */
function attempt<T>(f: () => T | undefined): T | undefined | null {
  try {
    return f();
  } catch {
    return null;
  }
}
