/**
 * The document's shape: format, size limits, then the top level, each param, each node and
 * each edge parsed on its own. A bad node or edge is reported by its id and left out, so the
 * later phases still check everything else ("all errors at once").
 */
import type { Diagnostic } from '../diagnostic.js';
import {
  CURRENT_FORMAT,
  type EdgeSpec,
  type LIMITS,
  type NodeSpec,
  type ParamSpec,
  type ParamType,
  type PipelineDocument,
} from './document.js';
import { documentSchema, edgeSpecSchema, nodeSpecSchema, PARAM_NAME, paramNameSchema, paramSpecSchema } from './document-schema.js';
import { z } from 'zod';
import { describeIssue, formatPath } from './zod-issues.js';

export type Limits = { -readonly [K in keyof typeof LIMITS]: number };

export interface StructureResult {
  diagnostics: Diagnostic[];
  /** What could be read: every readable param, node and edge (unreadable ones left out). */
  readable?: PipelineDocument;
  /** True when nothing was left out: `readable` is then the whole document. */
  complete: boolean;
  /** Ids of nodes present but unreadable: an edge naming one is not "a missing node". */
  unreadableNodeIds: Set<string>;
  /** Param types, including params whose spec is broken, so expressions reading them are not flagged twice. */
  paramTypes: Record<string, ParamType>;
}

const err = (code: string, message: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  severity: 'error',
  code,
  message,
  ...extra,
});

// The top level alone; params, nodes and edges are parsed one by one below.
const shellSchema = documentSchema.extend({
  format: z.unknown().optional(),
  params: z.record(paramNameSchema, z.unknown()).optional(),
  nodes: z.array(z.unknown()),
  edges: z.array(z.unknown()).default([]),
  // Item by item in validate-annotations.ts.
  notes: z.unknown().optional(),
  groups: z.unknown().optional(),
});

export function validateStructure(doc: Record<string, unknown>, limits: Limits, readable: readonly string[]): StructureResult {
  const out: Diagnostic[] = [];
  const result: StructureResult = { diagnostics: out, complete: false, unreadableNodeIds: new Set(), paramTypes: {} };
  if (doc.format !== CURRENT_FORMAT) {
    const got = doc.format === undefined ? 'missing "format"' : `format ${JSON.stringify(doc.format)} is not supported`;
    out.push(err('unsupported-format', `${got}: this build reads ${readable.map((f) => `"${f}"`).join(', ')}`, { path: 'format' }));
  }
  // Counted before parsing anything per item: an oversized document costs nothing more.
  const counts: [string, unknown, number][] = [
    ['nodes', Array.isArray(doc.nodes) ? doc.nodes.length : 0, limits.maxNodes],
    ['edges', Array.isArray(doc.edges) ? doc.edges.length : 0, limits.maxEdges],
    ['params', isObject(doc.params) ? Object.keys(doc.params).length : 0, limits.maxParams],
  ];
  for (const [what, n, max] of counts) {
    if ((n as number) > max) out.push(err('too-large', `${n} ${what}; the limit is ${max} ${what}`, { path: what }));
  }
  if (out.some((d) => d.code === 'too-large')) return result;

  let complete = true;
  const shell = shellSchema.safeParse(doc, { reportInput: true });
  if (!shell.success) {
    complete = false;
    for (const issue of shell.error.issues) out.push(topLevelDiagnostic(issue));
  }
  const top = (shell.success ? shell.data : {}) as Record<string, unknown>;

  const params: Record<string, ParamSpec> = {};
  for (const [name, raw] of Object.entries(isObject(doc.params) ? doc.params : {})) {
    // Zod's record skips a `__proto__` key, so the shell check above never sees it.
    if (name === '__proto__') {
      out.push(
        err('invalid-id', '"__proto__" is reserved (a name every object has); rename the param', { path: formatPath(['params', name]) }),
      );
      complete = false;
      continue;
    }
    const p = paramSpecSchema.safeParse(raw, { reportInput: true });
    if (p.success) params[name] = p.data;
    else {
      for (const issue of p.error.issues) out.push(paramDiagnostic(name, issue));
      // A param with a known type and a value of the wrong type is still a param: a draft the
      // API may store (the error refuses running it). Anything else is unreadable.
      const salvaged = salvageParam(raw);
      if (salvaged) params[name] = salvaged;
      else complete = false;
    }
    const type = paramTypeOf(raw);
    if (type && PARAM_NAME.test(name)) result.paramTypes[name] = type;
  }

  const nodes: NodeSpec[] = [];
  for (const [i, raw] of (Array.isArray(doc.nodes) ? doc.nodes : []).entries()) {
    const n = nodeSpecSchema.safeParse(raw, { reportInput: true });
    if (n.success) {
      nodes.push(n.data as NodeSpec);
      continue;
    }
    complete = false;
    const id = idOf(raw);
    for (const issue of n.error.issues) out.push(itemDiagnostic('nodes', i, id, issue));
    // Only label or position wrong: the node still takes part in the graph checks.
    const essential = n.error.issues.some((x) => ['id', 'type', 'config', undefined].includes(x.path[0] as string));
    if (!essential) {
      const r = raw as Record<string, unknown>;
      nodes.push({ id: r.id as string, type: r.type as string, config: (r.config ?? {}) as Record<string, unknown> });
    } else if (id !== undefined) result.unreadableNodeIds.add(id);
  }

  const edges: EdgeSpec[] = [];
  for (const [i, raw] of (Array.isArray(doc.edges) ? doc.edges : []).entries()) {
    const e = edgeSpecSchema.safeParse(raw, { reportInput: true });
    if (e.success) edges.push(e.data as EdgeSpec);
    else {
      complete = false;
      for (const issue of e.error.issues) out.push(itemDiagnostic('edges', i, idOf(raw), issue));
    }
  }

  result.readable = { ...top, format: CURRENT_FORMAT, nodes, edges } as PipelineDocument;
  if (top.params !== undefined || Object.keys(params).length > 0) result.readable.params = params;
  result.complete = complete;
  return result;
}

function topLevelDiagnostic(issue: z.core.$ZodIssue): Diagnostic {
  const { message, missing } = describeIssue(issue);
  const path = formatPath(issue.path);
  const badName =
    (issue.path[0] === 'id' && issue.code === 'invalid_format') || (issue.path[0] === 'params' && issue.code === 'invalid_key');
  if (badName) return err('invalid-id', message, { path });
  return err(missing ? 'missing-field' : 'wrong-type', message, { path });
}

function paramDiagnostic(name: string, issue: z.core.$ZodIssue): Diagnostic {
  const path = formatPath(['params', name, ...issue.path]);
  const { message, missing } = describeIssue(issue);
  if (issue.path[0] === 'value' && !missing) {
    const type = (issue as { expected?: string }).expected;
    return err('param-type', `${JSON.stringify((issue as { input?: unknown }).input)} is not a ${type}`, { path });
  }
  return err(missing ? 'missing-field' : 'wrong-type', message, { path });
}

/** The node or edge named by its id when it has a usable one, else by its index. */
function itemDiagnostic(list: 'nodes' | 'edges', index: number, id: string | undefined, issue: z.core.$ZodIssue): Diagnostic {
  const { message, missing } = describeIssue(issue);
  const code = issue.path[0] === 'id' && issue.code === 'invalid_format' ? 'invalid-id' : missing ? 'missing-field' : 'wrong-type';
  if (id === undefined) return err(code, message, { path: formatPath([list, index, ...issue.path]) });
  const inner = formatPath(issue.path) || undefined;
  return err(code, message, list === 'nodes' ? { nodeId: id, path: inner } : { edgeId: id, path: inner });
}

function salvageParam(raw: unknown): ParamSpec | undefined {
  if (!isObject(raw)) return undefined;
  const type = paramTypeOf(raw);
  const v = raw.value;
  if (!type || !['number', 'string', 'boolean'].includes(typeof v)) return undefined;
  const rest = paramSpecSchema.safeParse({ ...raw, value: type === 'number' ? 0 : type === 'string' ? '' : false });
  return rest.success ? ({ ...rest.data, value: v } as ParamSpec) : undefined;
}

function paramTypeOf(raw: unknown): ParamType | undefined {
  if (!isObject(raw)) return undefined;
  return raw.type === 'number' || raw.type === 'string' || raw.type === 'boolean' ? raw.type : undefined;
}

function idOf(raw: unknown): string | undefined {
  return isObject(raw) && typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
