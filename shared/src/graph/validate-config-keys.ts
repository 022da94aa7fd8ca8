/**
 * Warnings a config's schema can find but not refuse: a field the type does not have (a config
 * object drops unknown keys, so `allowedLatenes` would validate and do nothing), and a duration
 * written as a bare number (`"size": 60` is 60 ms, rarely what was meant). Generic: it walks the
 * raw config beside the type's JSON Schema (the one the editor draws its form from), so every
 * node type gets it with no code of its own.
 */
import { DURATION_FORMAT, formatDuration } from '../duration.js';
import { closestName } from './did-you-mean.js';
import { nodeConfigJsonSchema } from './json-schema.js';
import type { ConfigProblem, NodeTypeInfo } from './node-type.js';
import { formatPath } from './zod-issues.js';

type Schema = {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string | string[];
  const?: unknown;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  prefixItems?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

const SCHEMAS = new WeakMap<object, Schema>();

/** Warnings for the raw (unparsed) config of a node of type `def`, paths from `config`. */
export function configKeyWarnings(config: unknown, def: Pick<NodeTypeInfo, 'config' | 'type'>): ConfigProblem[] {
  let schema = SCHEMAS.get(def.config);
  if (!schema) {
    schema = nodeConfigJsonSchema(def) as Schema;
    SCHEMAS.set(def.config, schema);
  }
  const out: ConfigProblem[] = [];
  walk(config, schema, ['config'], { root: schema, type: def.type, out });
  return out;
}

interface Walk {
  root: Schema;
  type: string;
  out: ConfigProblem[];
}

function walk(value: unknown, raw: Schema, path: PropertyKey[], w: Walk): void {
  const schema = resolve(raw, w.root);
  if (schema.format === DURATION_FORMAT && typeof value === 'number' && value > 0) {
    w.out.push({ severity: 'warning', code: 'duration-as-number', path: formatPath(path), message: bareNumberMessage(value) });
    return;
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const fitting = branches.map((b) => resolve(b, w.root)).filter((b) => fits(value, b, w.root));
    // One branch: its rules. Several objects: the fields of any of them are known.
    if (fitting.length === 1) walk(value, fitting[0]!, path, w);
    else if (fitting.length > 1 && fitting.every((b) => b.properties)) walk(value, merged(fitting), path, w);
    return;
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((b) => resolve(b, w.root));
    if (parts.every((b) => b.properties)) walk(value, merged(parts), path, w);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const item = schema.prefixItems?.[i] ?? schema.items;
      if (item) walk(v, item, [...path, i], w);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const props = schema.properties;
  const extra = schema.additionalProperties;
  for (const [key, v] of Object.entries(value)) {
    if (props && Object.hasOwn(props, key)) walk(v, props[key]!, [...path, key], w);
    else if (typeof extra === 'object') walk(v, extra, [...path, key], w);
    // `false` is refused by the schema itself; `true`/{} allows anything. Absent: dropped unread.
    else if (props && extra === undefined) w.out.push(unknownKey(key, Object.keys(props), [...path, key], w.type));
  }
}

function unknownKey(key: string, known: string[], path: PropertyKey[], type: string): ConfigProblem {
  const close = closestName(key, known);
  const hint = close ? `; did you mean "${close}"?` : ` (fields: ${known.join(', ')})`;
  const inside = formatPath(path.slice(1, -1));
  const where = inside === '' ? `a ${type}` : `a ${type}'s ${inside}`;
  return {
    severity: 'warning',
    code: 'unknown-config-field',
    path: formatPath(path),
    message: `"${key}" is not a field of ${where}: it is ignored${hint}`,
  };
}

function bareNumberMessage(ms: number): string {
  const unit = formatDuration(ms);
  // A small number is most likely a size in seconds missing its unit.
  const also = ms < 1000 ? `, or "${ms}s" if seconds were meant` : '';
  return `a bare number is milliseconds: ${ms} is ${unit}; write the unit ("${unit}"${also})`;
}

function resolve(schema: Schema, root: Schema): Schema {
  let s = schema;
  // Zod writes `#` (the root, for recursion) and `#/$defs/<name>`.
  for (let hops = 0; s.$ref !== undefined && hops < 16; hops++) {
    const ref = s.$ref;
    const next = ref === '#' ? root : ref.startsWith('#/$defs/') ? root.$defs?.[ref.slice('#/$defs/'.length)] : undefined;
    if (!next) return {};
    s = next;
  }
  return s;
}

/** Could `value` be meant for this branch: its JSON type, and for an object its constant fields (a variant's tag). */
function fits(value: unknown, s: Schema, root: Schema): boolean {
  const t = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (s.const !== undefined) return s.const === value;
  const types = s.type === undefined ? undefined : ([] as string[]).concat(s.type);
  if (types && !types.some((x) => x === t || (t === 'number' && x === 'integer'))) return false;
  if (t !== 'object' || !s.properties) return true;
  return Object.entries(s.properties).every(([k, p]) => {
    const c = resolve(p, root).const;
    return c === undefined || !(k in (value as object)) || (value as Record<string, unknown>)[k] === c;
  });
}

/** One object schema with the fields of all: what several fitting branches know between them. */
function merged(branches: Schema[]): Schema {
  const properties: Record<string, Schema> = {};
  let open = false;
  for (const b of branches) {
    for (const [k, p] of Object.entries(b.properties ?? {})) properties[k] ??= p;
    if (b.additionalProperties !== undefined && b.additionalProperties !== false) open = true;
  }
  return open ? { properties, additionalProperties: {} } : { properties };
}
