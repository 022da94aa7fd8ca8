/**
 * A business user's draft against the loaded document: what she may edit (exposed params and
 * the rows/default of exposed rule tables), the bounds of a value, the change list in words, and
 * the document to save (her changes only, laid onto the latest stored version).
 */
import type { NodeSpec, ParamSpec, ParamValue, PipelineDocument } from '@sluice/shared';
import { readRules, type RuleRow, showCondition, showOutput } from './rules-config';

export const exposedParams = (doc: PipelineDocument): [string, ParamSpec][] =>
  Object.entries(doc.params ?? {}).filter(([, p]) => p.exposed === true);

export const exposedRuleNodes = (doc: PipelineDocument): NodeSpec[] =>
  doc.nodes.filter((n) => n.type === 'rules' && n.config.exposed === true);

/** Why `value` is not acceptable for the param, in words for the person typing it; undefined when it is. */
export function paramProblem(name: string, spec: ParamSpec, value: ParamValue): string | undefined {
  const label = spec.label ?? name;
  const unit = spec.unit ? ` ${spec.unit}` : '';
  if (spec.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${label}: enter a number`;
    const { min, max } = spec;
    const range = min !== undefined && max !== undefined ? ` (allowed: ${min} to ${max}${unit})` : '';
    if (min !== undefined && value < min) return `${label} must be at least ${min}${unit}${range}`;
    if (max !== undefined && value > max) return `${label} must be at most ${max}${unit}${range}`;
    return undefined;
  }
  if (spec.type === 'boolean') return typeof value === 'boolean' ? undefined : `${label}: choose yes or no`;
  return typeof value === 'string' ? undefined : `${label}: enter text`;
}

export function setParam(doc: PipelineDocument, name: string, value: ParamValue): PipelineDocument {
  const spec = doc.params?.[name];
  if (!spec) return doc;
  return { ...doc, params: { ...doc.params, [name]: { ...spec, value } } };
}

export function setRulesConfig(doc: PipelineDocument, nodeId: string, config: Record<string, unknown>): PipelineDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, config } : n)) };
}

/** One line of the change list, and what it is about (so an error can be shown beside it). */
export interface DraftChange {
  /** A param name or a rules node id. */
  target: string;
  /** 1-based row of the draft (or of the loaded table for a removed row); absent for params and defaults. */
  row?: number;
  text: string;
}

const show = (v: unknown): string => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every change of the draft against the loaded document, e.g. `surge_threshold 2000 -> 2400`, `Pricing row 3 adjust_pct 5 -> 8`. */
export function draftChanges(base: PipelineDocument, draft: PipelineDocument): DraftChange[] {
  const out: DraftChange[] = [];
  for (const [name, spec] of Object.entries(draft.params ?? {})) {
    const before = base.params?.[name]?.value;
    if (!same(before, spec.value)) out.push({ target: name, text: `${name} ${show(before)} -> ${show(spec.value)}` });
  }
  const baseNodes = new Map(base.nodes.map((n) => [n.id, n]));
  for (const node of draft.nodes) {
    const was = baseNodes.get(node.id);
    if (node.type !== 'rules' || !was || same(was.config, node.config)) continue;
    out.push(...tableChanges(node.id, node.label ?? node.id, readRules(was.config), readRules(node.config)));
  }
  return out;
}

function tableChanges(id: string, table: string, a: ReturnType<typeof readRules>, b: ReturnType<typeof readRules>): DraftChange[] {
  const out: DraftChange[] = [];
  const columns = [...new Set([...a.inputs.map((x) => x.id), ...b.inputs.map((x) => x.id)])];
  const outputs = [...new Set([...a.outputs.map((x) => x.id), ...b.outputs.map((x) => x.id)])];
  const rowText = (r: RuleRow) =>
    [
      ...columns.filter((c) => r.when[c] && r.when[c].op !== 'any').map((c) => `${c} ${showCondition(r.when[c])}`),
      '->',
      ...outputs.filter((o) => o in r.then).map((o) => `${o} ${showOutput(r.then[o])}`),
    ].join(' ');
  const cellChanges = (ra: RuleRow, rb: RuleRow, n: number) => {
    for (const c of columns) {
      if (!same(ra.when[c] ?? { op: 'any' }, rb.when[c] ?? { op: 'any' }))
        out.push({ target: id, row: n, text: `${table} row ${n} ${c} ${showCondition(ra.when[c])} -> ${showCondition(rb.when[c])}` });
    }
    for (const o of outputs) {
      if (!same(ra.then[o], rb.then[o]))
        out.push({ target: id, row: n, text: `${table} row ${n} ${o} ${showOutput(ra.then[o])} -> ${showOutput(rb.then[o])}` });
    }
    for (const k of ['effectiveFrom', 'effectiveUntil', 'note'] as const) {
      if ((ra[k] ?? '') !== (rb[k] ?? ''))
        out.push({ target: id, row: n, text: `${table} row ${n} ${k} ${show(ra[k])} -> ${show(rb[k])}` });
    }
  };

  // Rows that stayed the same anchor the comparison (longest common subsequence), so deleting
  // row 2 reads as one removal, not as every later row changed.
  const pairs = alignRows(a.rows, b.rows);
  const removed: { i: number; row: RuleRow }[] = [];
  const added: { j: number; row: RuleRow }[] = [];
  for (const p of pairs) {
    if (p.i !== undefined && p.j !== undefined) {
      if (!same(a.rows[p.i], b.rows[p.j])) cellChanges(a.rows[p.i]!, b.rows[p.j]!, p.j + 1);
    } else if (p.i !== undefined) removed.push({ i: p.i, row: a.rows[p.i]! });
    else if (p.j !== undefined) added.push({ j: p.j, row: b.rows[p.j]! });
  }
  for (const r of removed) {
    const k = added.findIndex((x) => same(x.row, r.row));
    if (k >= 0) {
      const [to] = added.splice(k, 1);
      out.push({ target: id, row: to!.j + 1, text: `${table} row ${r.i + 1} moved to row ${to!.j + 1}` });
    } else out.push({ target: id, text: `${table} row ${r.i + 1} removed (${rowText(r.row)})` });
  }
  for (const x of added) out.push({ target: id, row: x.j + 1, text: `${table} row ${x.j + 1} added (${rowText(x.row)})` });

  for (const o of outputs) {
    if (!same(a.default?.[o], b.default?.[o]))
      out.push({ target: id, text: `${table} default ${o} ${showOutput(a.default?.[o])} -> ${showOutput(b.default?.[o])}` });
  }
  if ((a.hitPolicy ?? 'first') !== (b.hitPolicy ?? 'first'))
    out.push({ target: id, text: `${table} hit policy ${a.hitPolicy ?? 'first'} -> ${b.hitPolicy ?? 'first'}` });
  const colText = (kind: string, xs: { id: string }[], ys: { id: string }[]) => {
    for (const x of ys) if (!xs.some((y) => y.id === x.id)) out.push({ target: id, text: `${table} ${kind} column ${x.id} added` });
    for (const x of xs) if (!ys.some((y) => y.id === x.id)) out.push({ target: id, text: `${table} ${kind} column ${x.id} removed` });
    for (const x of ys) {
      const y = xs.find((z) => z.id === x.id);
      if (y && !same(x, y)) out.push({ target: id, text: `${table} ${kind} column ${x.id} changed` });
    }
  };
  colText('input', a.inputs, b.inputs);
  colText('output', a.outputs, b.outputs);
  return out;
}

/**
 * Rows of a and b paired: equal rows by their longest common subsequence; between two anchors
 * the leftovers pair up by position (a changed row), the rest are removed or added.
 */
export function alignRows(a: readonly RuleRow[], b: readonly RuleRow[]): { i?: number; j?: number }[] {
  const ka = a.map((r) => JSON.stringify(r));
  const kb = b.map((r) => JSON.stringify(r));
  const n = ka.length;
  const m = kb.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i]![j] = ka[i] === kb[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const anchors: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (ka[i] === kb[j]) {
      anchors.push([i, j]);
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) i++;
    else j++;
  }
  anchors.push([n, m]);
  const out: { i?: number; j?: number }[] = [];
  let pi = 0;
  let pj = 0;
  for (const [ai, aj] of anchors) {
    const gapA = ai - pi;
    const gapB = aj - pj;
    for (let k = 0; k < Math.max(gapA, gapB); k++) {
      const i = k < gapA ? pi + k : undefined;
      const j = k < gapB ? pj + k : undefined;
      out.push({ ...(i !== undefined ? { i } : {}), ...(j !== undefined ? { j } : {}) });
    }
    if (ai < n) out.push({ i: ai, j: aj });
    pi = ai + 1;
    pj = aj + 1;
  }
  return out;
}

/**
 * The document to PUT: the latest stored version with only the draft's business changes laid on
 * it (param values, rows and default of exposed tables), so an engineer's concurrent edit of
 * anything else survives. A field someone else changed since the page loaded is a conflict.
 */
export function applyDraft(
  latest: PipelineDocument,
  base: PipelineDocument,
  draft: PipelineDocument,
): { document: PipelineDocument; conflicts: string[] } {
  const conflicts: string[] = [];
  let doc = latest;
  for (const [name, spec] of exposedParams(draft)) {
    const before = base.params?.[name]?.value;
    if (same(before, spec.value)) continue;
    const now = latest.params?.[name];
    if (!now) {
      conflicts.push(`${name} no longer exists`);
      continue;
    }
    if (!same(now.value, before) && !same(now.value, spec.value))
      conflicts.push(`${name} was changed to ${show(now.value)} by someone else since you opened the page`);
    doc = setParam(doc, name, spec.value);
  }
  for (const node of exposedRuleNodes(draft)) {
    const was = base.nodes.find((n) => n.id === node.id);
    const now = latest.nodes.find((n) => n.id === node.id);
    if (!was) continue;
    const changed = (['rows', 'default'] as const).filter((k) => !same(was.config[k], node.config[k]));
    if (changed.length === 0) continue;
    if (now?.type !== 'rules') {
      conflicts.push(`${node.label ?? node.id} no longer exists`);
      continue;
    }
    if (changed.some((k) => !same(now.config[k], was.config[k]) && !same(now.config[k], node.config[k]))) {
      conflicts.push(`${node.label ?? node.id} was changed by someone else since you opened the page`);
    }
    const config = { ...now.config };
    for (const k of changed) {
      if (node.config[k] === undefined) delete config[k];
      else config[k] = node.config[k];
    }
    doc = setRulesConfig(doc, node.id, config);
  }
  return { document: doc, conflicts };
}
