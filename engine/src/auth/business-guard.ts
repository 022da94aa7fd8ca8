/**
 * What a business user may change: the values of exposed params (same type, within min/max)
 * and the rows and default of exposed rule tables (nodes of type "rules" whose stored config
 * has `exposed: true`). Node positions may move too (they never change what runs). Everything
 * else — the graph's shape, other config, a param's declaration — is compared with the stored
 * document, and each difference is named by its path, e.g. `nodes.price.config.set.price`.
 */
import type { Diagnostic } from '@sluice/shared';

type Json = unknown;
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);

export interface ForbiddenChange {
  path: string;
  /** Why, when more than "this may not change" is worth saying (e.g. a bound). */
  reason?: string;
}

/** The differences between the stored document and the body that a business user may not make. */
export function forbiddenDocumentChanges(stored: Json, next: Json): ForbiddenChange[] {
  const out: ForbiddenChange[] = [];
  if (!isObj(stored) || !isObj(next)) {
    if (!deepEqual(stored, next)) out.push({ path: '(document)', reason: 'the body is not a document object' });
    return out;
  }
  for (const key of keysOf(stored, next)) {
    if (key === 'params') paramChanges(stored.params, next.params, out);
    else if (key === 'nodes') elementChanges('nodes', stored.nodes, next.nodes, out, nodeChanges);
    else if (key === 'edges') elementChanges('edges', stored.edges, next.edges, out, (path, a, b, acc) => diffValues(path, a, b, acc));
    else diffValues(key, stored[key], next[key], out);
  }
  return out;
}

function paramChanges(stored: unknown, next: unknown, out: ForbiddenChange[]): void {
  if (!isObj(stored) || !isObj(next)) {
    // `params` absent on one side and empty on the other is no change.
    const empty = (x: unknown) => x === undefined || (isObj(x) && Object.keys(x).length === 0);
    if (!(empty(stored) && empty(next))) diffValues('params', stored, next, out);
    return;
  }
  for (const name of keysOf(stored, next)) {
    const path = `params.${name}`;
    const a = stored[name];
    const b = next[name];
    if (a === undefined) out.push({ path, reason: 'added' });
    else if (b === undefined) out.push({ path, reason: 'removed' });
    else if (!isObj(a) || !isObj(b)) diffValues(path, a, b, out);
    else {
      for (const field of keysOf(a, b)) if (field !== 'value') diffValues(`${path}.${field}`, a[field], b[field], out);
      if (!deepEqual(a.value, b.value)) {
        const why = paramValueProblem(a, b.value);
        if (why) out.push({ path: `${path}.value`, reason: why });
      }
    }
  }
}

/** Why a business user may not give this param this value, or undefined when they may. */
export function paramValueProblem(spec: Obj, value: unknown): string | undefined {
  if (spec.exposed !== true) return 'the param is not exposed';
  if (typeof value !== spec.type) return `${JSON.stringify(value)} is not a ${String(spec.type)}`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${value} is not a finite number`;
    if (typeof spec.min === 'number' && value < spec.min) return `${value} is below the minimum ${spec.min}`;
    if (typeof spec.max === 'number' && value > spec.max) return `${value} is above the maximum ${spec.max}`;
  }
  return undefined;
}

type ElementDiff = (path: string, a: Obj, b: Obj, out: ForbiddenChange[]) => void;

/** Nodes and edges matched by id (their order does not matter); added and removed ones named. */
function elementChanges(kind: 'nodes' | 'edges', stored: unknown, next: unknown, out: ForbiddenChange[], diff: ElementDiff): void {
  if (!Array.isArray(stored) || !Array.isArray(next)) {
    diffValues(kind, stored, next, out);
    return;
  }
  const byId = (list: unknown[]) => {
    const m = new Map<string, Obj>();
    for (const x of list) if (isObj(x) && typeof x.id === 'string' && !m.has(x.id)) m.set(x.id, x);
    return m.size === list.length ? m : undefined;
  };
  const a = byId(stored);
  const b = byId(next);
  // Without unique ids there is nothing to match by: compare the lists as they are.
  if (!a || !b) {
    diffValues(kind, stored, next, out);
    return;
  }
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y) out.push({ path: `${kind}.${id}`, reason: 'removed' });
    else diff(`${kind}.${id}`, x, y, out);
  }
  for (const id of b.keys()) if (!a.has(id)) out.push({ path: `${kind}.${id}`, reason: 'added' });
}

function nodeChanges(path: string, a: Obj, b: Obj, out: ForbiddenChange[]): void {
  const editableTable = a.type === 'rules' && isObj(a.config) && a.config.exposed === true;
  for (const key of keysOf(a, b)) {
    if (key === 'position') continue;
    if (key === 'config' && editableTable && isObj(b.config)) {
      const ca = a.config as Obj;
      const cb = b.config;
      for (const field of keysOf(ca, cb))
        if (field !== 'rows' && field !== 'default') diffValues(`${path}.config.${field}`, ca[field], cb[field], out);
      continue;
    }
    diffValues(`${path}.${key}`, a[key], b[key], out);
  }
}

/** Record each leaf where a and b differ (objects descended into; arrays compared whole). */
function diffValues(path: string, a: unknown, b: unknown, out: ForbiddenChange[]): void {
  if (isObj(a) && isObj(b)) {
    for (const key of keysOf(a, b)) diffValues(`${path}.${key}`, a[key], b[key], out);
    return;
  }
  if (!deepEqual(a, b)) out.push({ path });
}

function keysOf(a: Obj, b: Obj): string[] {
  const keys = new Set<string>();
  for (const k of Object.keys(a)) if (a[k] !== undefined) keys.add(k);
  for (const k of Object.keys(b)) if (b[k] !== undefined) keys.add(k);
  return [...keys];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Deploy overrides from a business user: only exposed params, each of its type and within bounds. */
export function forbiddenDeployParams(stored: Json, overrides: Obj): ForbiddenChange[] {
  const declared = isObj(stored) && isObj(stored.params) ? stored.params : {};
  const out: ForbiddenChange[] = [];
  for (const [name, value] of Object.entries(overrides)) {
    const spec = declared[name];
    const path = `params.${name}`;
    if (!isObj(spec)) out.push({ path, reason: 'no such param' });
    else {
      const why = paramValueProblem(spec, coerce(value, spec.type));
      if (why) out.push({ path, reason: why });
    }
  }
  return out;
}

/** Deploy overrides may be strings (as from a form or `--param`): read them per the param's type. */
function coerce(value: unknown, type: unknown): unknown {
  if (typeof value !== 'string' || type === 'string') return value;
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** One line for a 403: the first few changes, and how many more. */
export function forbiddenMessage(changes: readonly ForbiddenChange[], limit = 3): string {
  const shown = changes.slice(0, limit).map((c) => (c.reason ? `${c.path} (${c.reason})` : c.path));
  const more = changes.length > limit ? ` and ${changes.length - limit} more` : '';
  return `business users may not change ${shown.join(', ')}${more}; they may change only exposed params and exposed rule tables`;
}

/** The changes as diagnostics (the API's `details` shape). */
export function forbiddenDetails(changes: readonly ForbiddenChange[]): Diagnostic[] {
  return changes.map((c) => {
    const m = /^nodes\.([^.]+)(?:\.(.*))?$/.exec(c.path);
    const e = /^edges\.([^.]+)/.exec(c.path);
    return {
      severity: 'error',
      code: 'forbidden-change',
      message: c.reason ? `business users may not change this: ${c.reason}` : 'business users may not change this',
      ...(m ? { nodeId: m[1]!, ...(m[2] ? { path: m[2] } : {}) } : e ? { edgeId: e[1]! } : { path: c.path }),
    };
  });
}
