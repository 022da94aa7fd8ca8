import { type EventSchema, type FieldType, type MaskRule, maskRuleProblems, maskRuleSchema, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';

export const maskConfig = z.object({
  fields: z
    .array(maskRuleSchema)
    .min(1)
    .max(1000)
    .describe('Masking rules, applied in order: { field, op, ...options } (docs/privacy.md lists the ops)'),
});

export type MaskConfig = z.output<typeof maskConfig>;

/** The type a rule leaves in its field; undefined: the field is gone. */
function maskedType(r: MaskRule): FieldType | undefined {
  switch (r.op) {
    case 'drop':
      return undefined;
    case 'range':
      return r.output === 'lower' ? 'number' : 'string';
    default:
      return 'string';
  }
}

/** Input fields with each masked field's new type (nullable values stay possible: a value an op cannot mask becomes null). */
export function maskSchema(c: MaskConfig, input: EventSchema): EventSchema {
  const fields: Record<string, FieldType> = { ...input.fields };
  for (const r of c.fields) {
    const t = maskedType(r);
    // A masked object is no longer what it was: forget its children.
    for (const f of Object.keys(fields)) if (f.startsWith(`${r.field}.`)) delete fields[f];
    if (t === undefined) delete fields[r.field];
    else fields[r.field] = t;
  }
  return { fields, open: input.open };
}

export const maskDefinition = defineNode<MaskConfig>({
  type: 'mask',
  category: 'transform',
  title: 'Mask',
  summary: 'Pseudonymizes or removes personal fields before a sink.',
  docs:
    'Each rule masks one field (dotted for nested fields), in order: `drop` removes it; `hmac` ' +
    'replaces it by the hex HMAC-SHA256 of its text under a key held in a secret (`keySecret`; ' +
    'the same value always gives the same result, so it can still be counted and joined), ' +
    'optionally cut to `length` characters; `keep_last` keeps the last `keep` characters and ' +
    'replaces the others with `char` (default `*`); `range` turns a number into its bucket of ' +
    '`width` ("20-29", or the lower bound with `output: "lower"`); `day` turns a time (epoch ms ' +
    'or ISO text) into its UTC day (YYYY-MM-DD); `redact` writes "***". A missing or null field ' +
    'is left alone; a value an op cannot mask (a word for `range`) becomes null, never the ' +
    'original. The input event is never changed.',
  example: {
    fields: [
      { field: 'card_number', op: 'hmac', keySecret: 'CARD_HMAC_KEY', length: 16 },
      { field: 'email', op: 'drop' },
      { field: 'phone', op: 'keep_last', keep: 4 },
    ],
  },
  config: maskConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [{ name: 'out', label: 'Masked' }],
  fieldUse: (c) => ({ reads: [...new Set(c.fields.map((r) => r.field.split('.')[0]!))], forwards: true }),
  check: (c) => maskRuleProblems(c.fields, 'config.fields'),
  inferSchema: (c, ctx) => ({ out: maskSchema(c, ctx.inputs.in ?? UNKNOWN_SCHEMA) }),
});
