/**
 * One masking rule: what the `mask` node applies to its events and what a document's
 * `privacy.mask` applies before anything is recorded, tapped or previewed (docs/privacy.md).
 * A flat object rather than a union per op, so a form can draw it and a problem can be named
 * by field and op (`maskRuleProblems`) instead of zod's "no union member matched".
 */
import { z } from 'zod';
import type { ConfigProblem } from '../graph/node-type.js';

export const MASK_OPS = ['drop', 'hmac', 'keep_last', 'range', 'day', 'redact'] as const;
export type MaskOp = (typeof MASK_OPS)[number];

/** A dotted field name: no empty part. */
export const MASK_FIELD_PATH = /^[^.]+(\.[^.]+)*$/;
/** Secret names as connector configs write them (nodes/src/sdk/secrets.ts). */
export const MASK_SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;
/** What `redact` writes in place of a value. */
export const REDACTED = '***';

export const maskRuleSchema = z.object({
  field: z
    .string()
    .regex(MASK_FIELD_PATH, { error: 'a field name, dotted for nested fields (customer.email)' })
    .describe('The field to mask; dotted for a nested field'),
  op: z
    .enum(MASK_OPS)
    .describe(
      'drop: remove the field; hmac: keyed HMAC-SHA256, hex; keep_last: keep the last `keep` characters; range: a number to its bucket; day: a time to its UTC day; redact: "***"',
    ),
  keySecret: z
    .string()
    .regex(MASK_SECRET_NAME, { error: 'a secret name is upper case letters, digits and _ (e.g. CARD_HMAC_KEY)' })
    .optional()
    .describe('hmac: the secret holding the key (SLUICE_SECRET_<name> on the server and workers)'),
  length: z.number().int().min(8).max(64).optional().describe('hmac: keep the first N hex characters (8 to 64; default all 64)'),
  keep: z.number().int().min(0).max(1000).optional().describe('keep_last: characters kept at the end'),
  char: z.string().length(1).optional().describe('keep_last: what replaces the other characters (default "*")'),
  width: z.number().int().positive().optional().describe('range: the bucket width, e.g. 10 makes 23 into "20-29"'),
  output: z.enum(['range', 'lower']).optional().describe('range: "20-29" (default) or the lower bound 20'),
});

export type MaskRule = z.output<typeof maskRuleSchema>;

/** Which options belong to which op: anything else on a rule is a mistake worth a warning. */
const OPTIONS: Record<MaskOp, readonly (keyof MaskRule)[]> = {
  drop: [],
  hmac: ['keySecret', 'length'],
  keep_last: ['keep', 'char'],
  range: ['width', 'output'],
  day: [],
  redact: [],
};
const REQUIRED: Partial<Record<MaskOp, { option: keyof MaskRule; what: string }>> = {
  hmac: { option: 'keySecret', what: 'the name of the secret holding the key' },
  keep_last: { option: 'keep', what: 'how many characters to keep at the end' },
  range: { option: 'width', what: 'the bucket width' },
};
const ALL_OPTIONS = ['keySecret', 'length', 'keep', 'char', 'width', 'output'] as const;

/**
 * What the schema cannot say of a list of rules, each problem naming the rule's field and op:
 * a missing option (error), an option of another op, a field masked twice (warnings).
 * `at` is the list's path, e.g. `config.fields` or `privacy.mask`.
 */
export function maskRuleProblems(rules: readonly MaskRule[], at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  rules.forEach((r, i) => {
    const where = `${at}[${i}]`;
    const named = `"${r.field}" (${r.op})`;
    const need = REQUIRED[r.op];
    if (need && r[need.option] === undefined)
      problems.push({
        path: `${where}.${need.option}`,
        code: 'mask-option-missing',
        message: `${named}: ${need.option} is required: ${need.what}`,
      });
    for (const o of ALL_OPTIONS)
      if (r[o] !== undefined && !OPTIONS[r.op].includes(o))
        problems.push({
          path: `${where}.${o}`,
          code: 'mask-option-ignored',
          severity: 'warning',
          message: `${named}: ${o} does not apply to ${r.op} and is ignored`,
        });
    const before = seen.get(r.field);
    if (before !== undefined)
      problems.push({
        path: `${where}.field`,
        code: 'mask-field-twice',
        severity: 'warning',
        message: `${named}: the field is already masked by ${at}[${before}]; the rules apply in order`,
      });
    else seen.set(r.field, i);
  });
  return problems;
}
