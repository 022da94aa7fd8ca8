/**
 * Validation of what data rules and sink targets add to an `alerts` section: a data rule's
 * `where` is checked as a filter's expression is, against the schema inferred for the edge it
 * watches; a sink target's config as a node of that sink type would be.
 */
import type { Diagnostic } from '../diagnostic.js';
import { parseDuration } from '../duration.js';
import type { ParamType } from '../graph/document.js';
import type { NodeTypeRegistry } from '../graph/node-type.js';
import { checkExpressionFields } from '../graph/validate-expressions.js';
import type { EventSchema } from '../schema/event-schema.js';
import type { AlertRule, NodeTarget, SinkTarget } from './alert-rules.js';

export interface DataRuleContext {
  params: Record<string, ParamType>;
  /** Inferred schema per edge id (validate-configs.ts); absent or undefined: any field is accepted. */
  schemas?: Record<string, EventSchema | undefined>;
  /** Node types, for sink targets; absent: their type is not checked. */
  registry?: NodeTypeRegistry;
}

export const DEFAULT_DATA_WINDOW = '5m';
export const MIN_DATA_WINDOW_MS = 10_000;
/** A longer window is a report; the counter keeps a bucket per window/300 (alert-window-counter.ts). */
export const MAX_DATA_WINDOW_MS = 3_600_000;

/** The window in ms, the default filled in. */
export function dataWindowMs(r: Pick<AlertRule, 'window'>): number {
  return parseDuration(r.window ?? DEFAULT_DATA_WINDOW) ?? 300_000;
}

export function checkDataRule(r: AlertRule, at: string, ctx: DataRuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const problem = (path: string, message: string) => out.push({ severity: 'error', code: 'alert-rule', message, path });
  if (r.edge === undefined) problem(at, `${r.when} counts the events crossing an edge: set edge, not node`);
  const w = parseDuration(r.window ?? DEFAULT_DATA_WINDOW);
  if (w !== undefined && (w < MIN_DATA_WINDOW_MS || w > MAX_DATA_WINDOW_MS)) problem(`${at}.window`, 'window is from 10s to 1h');
  if (r.where === undefined || r.where.trim() === '') {
    problem(`${at}.where`, `${r.when} needs where: the expression an event must make true to count, e.g. status == "failed"`);
    return out;
  }
  const input = r.edge !== undefined ? ctx.schemas?.[r.edge] : undefined;
  const issues = checkExpressionFields([{ path: 'where', source: r.where, role: 'predicate' }], {
    nodeId: '',
    params: ctx.params,
    ...(input ? { input } : {}),
  });
  for (const d of issues) {
    const { nodeId: _unused, ...rest } = d;
    out.push({ ...rest, path: `${at}.where`, message: `where: ${d.message}` });
  }
  return out;
}

export function checkSinkTarget(t: SinkTarget, at: string, registry: NodeTypeRegistry | undefined): Diagnostic[] {
  if (!registry) return [];
  const problem = (path: string, message: string): Diagnostic => ({ severity: 'error', code: 'alert-rule', message, path });
  const def = registry.get(t.sink.type);
  if (!def) return [problem(`${at}.sink.type`, `"${t.sink.type}" is not a node type`)];
  if (def.category !== 'sink') return [problem(`${at}.sink.type`, `${t.sink.type} is a ${def.category}, not a sink`)];
  const parsed = def.config.safeParse(t.sink.config);
  if (parsed.success) return [];
  return parsed.error.issues.slice(0, 5).map((i) => problem(`${at}.sink.config${i.path.map((k) => `.${String(k)}`).join('')}`, i.message));
}

/**
 * Sink types whose output belongs to their run: sink.file writes at offsets it commits with its
 * task and cuts the file back to them, so a second writer's lines would be overwritten or cut.
 */
const RUN_OWNED_SINKS = new Set(['sink.file']);

export function checkNodeTarget(
  t: NodeTarget,
  at: string,
  nodes: readonly { id: string; type: string }[],
  registry: NodeTypeRegistry | undefined,
): Diagnostic[] {
  const problem = (message: string): Diagnostic[] => [{ severity: 'error', code: 'alert-rule', message, path: `${at}.node` }];
  const node = nodes.find((n) => n.id === t.node);
  if (!node) return problem(`target ${t.id}: "${t.node}" is not a node of this document`);
  const def = registry?.get(node.type);
  if (registry && def?.category !== 'sink')
    return problem(`target ${t.id}: node ${t.node} is a ${def?.category ?? `node of unknown type ${node.type}`}, not a sink`);
  if (RUN_OWNED_SINKS.has(node.type))
    return problem(
      `target ${t.id}: node ${t.node} is a ${node.type}, whose file belongs to its run (it commits its offsets and cuts the file to them): use a sink target with a path of its own`,
    );
  return [];
}
