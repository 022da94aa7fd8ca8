import {
  type CheckContext,
  type ConfigProblem,
  checkExpression,
  type EventSchema,
  type FieldType,
  passThroughUse,
  UNKNOWN_SCHEMA,
} from '@sluice/shared';
import { z } from 'zod';
import { errorPortSchema } from '../sdk/error-event.js';
import { defineNode } from '../sdk/define-node.js';

/** A field name, dotted for nested fields: no empty part. */
const FIELD_PATH_RE = /^[^.]+(\.[^.]+)*$/;
const fieldPath = z.string().regex(FIELD_PATH_RE, { error: 'a field name, dotted for nested fields (user.tier)' });

export const mapConfig = z.object({
  set: z
    .record(fieldPath, z.string().min(1).meta({ format: 'sluice-expression' }))
    .describe('Field name -> expression, applied in order: later expressions see earlier results; dotted names set nested fields'),
  remove: z.array(fieldPath).default([]).describe('Fields to delete after `set` (dotted names delete nested fields)'),
});

export type MapConfig = z.output<typeof mapConfig>;

/** Static type of an expression, 'any' when the checker cannot tell (or is not available). */
function typeOf(source: string, schema: EventSchema): FieldType {
  try {
    // Params are not known here (InferContext has none); the validator checks them separately.
    const ctx: CheckContext = { params: {}, schema };
    return checkExpression(source, ctx).type ?? 'any';
  } catch {
    return 'any';
  }
}

/** Input fields, plus each `set` field typed by the checker, minus `remove`. */
export function mapSchema(c: MapConfig, input: EventSchema): EventSchema {
  const fields: Record<string, FieldType> = { ...input.fields };
  for (const [name, source] of Object.entries(c.set)) {
    const type = typeOf(source, { fields: { ...fields }, open: input.open });
    const parts = name.split('.');
    // A nested set makes every parent an object.
    for (let i = 1; i < parts.length; i++) fields[parts.slice(0, i).join('.')] = 'object';
    // Replacing a field replaces what was known of its children.
    for (const f of Object.keys(fields)) if (f.startsWith(`${name}.`)) delete fields[f];
    fields[name] = type;
  }
  for (const name of c.remove) for (const f of Object.keys(fields)) if (f === name || f.startsWith(`${name}.`)) delete fields[f];
  return { fields, open: input.open };
}

export const mapDefinition = defineNode<MapConfig>({
  type: 'map',
  category: 'transform',
  title: 'Map',
  summary: 'Computes fields with expressions and removes fields.',
  docs:
    'Each output event is a new copy of the input with every `set` field computed in order (a ' +
    'later expression sees the fields set before it; `user.tier` sets a nested field, copying ' +
    'the objects on the way) and the `remove` fields deleted last. The input is never changed. ' +
    'An expression that fails on an event sends the event, unchanged, to the `error` port.',
  example: { set: { total: 'quantity * unit_price', big: 'total > 100' }, remove: ['internal_note'] },
  config: mapConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'Mapped' },
    { name: 'error', label: 'Errors', description: 'Events on which an expression failed' },
  ],
  // Later expressions see the fields set before them.
  fieldUse: (c) => passThroughUse(Object.values(c.set)),
  expressions: (c) =>
    Object.entries(c.set).map(([name, source], i, all) => ({
      path: `config.set.${name}`,
      source,
      role: 'value' as const,
      extraFields: Object.fromEntries(all.slice(0, i).map(([earlier]) => [earlier, 'any' as const])),
    })),
  check: (c) => {
    const problems: ConfigProblem[] = [];
    if (Object.keys(c.set).length === 0 && c.remove.length === 0) {
      problems.push({ path: 'config.set', message: 'nothing to set or remove: events pass unchanged', severity: 'warning' });
    }
    c.remove.forEach((name, i) => {
      if (Object.hasOwn(c.set, name))
        problems.push({ path: `config.remove[${i}]`, message: `"${name}" is set and then removed`, severity: 'warning' });
    });
    return problems;
  },
  inferSchema: (c, ctx) => {
    const input = ctx.inputs.in ?? UNKNOWN_SCHEMA;
    return { out: mapSchema(c, input), error: errorPortSchema(input) };
  },
});
