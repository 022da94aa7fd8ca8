/** The unknown-field and bare-number warnings come from any type's schema, with no code per type. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { closestName } from './did-you-mean.js';
import { configKeyWarnings } from './validate-config-keys.js';

const config = z.object({
  when: z.discriminatedUnion('op', [z.object({ op: z.literal('any') }), z.object({ op: z.literal('='), value: z.number() })]),
  set: z.record(z.string(), z.string()),
  extra: z.looseObject({ a: z.number().optional() }),
  closed: z.strictObject({ b: z.number().optional() }),
  every: durationSchema.optional(),
  steps: z.array(z.object({ after: durationSchema })).optional(),
});
const def = { type: 'test.any', config };
const found = (c: unknown) => configKeyWarnings(c, def).map((p) => `${p.code} ${p.path}: ${p.message}`);

describe('configKeyWarnings', () => {
  it('follows the variant a tag picks, records, loose and strict objects, lists', () => {
    expect(
      found({
        when: { op: '=', value: 1, valu: 2 },
        set: { anything: 'x' },
        extra: { z: 1 },
        closed: { c: 1 },
        steps: [{ after: '1s', afterr: 1 }],
      }),
    ).toEqual([
      `unknown-config-field config.when.valu: "valu" is not a field of a test.any's when: it is ignored; did you mean "value"?`,
      `unknown-config-field config.steps[0].afterr: "afterr" is not a field of a test.any's steps[0]: it is ignored; did you mean "after"?`,
    ]);
    // The `any` variant has no `value`: a field of another variant is still unknown here.
    expect(found({ when: { op: 'any', value: 1 }, set: {}, extra: {}, closed: {} })).toEqual([
      `unknown-config-field config.when.value: "value" is not a field of a test.any's when: it is ignored (fields: op)`,
    ]);
  });

  it('flags durations given as numbers wherever they are', () => {
    expect(found({ every: 1500, steps: [{ after: 0 }, { after: 2 }] })).toEqual([
      'duration-as-number config.every: a bare number is milliseconds: 1500 is 1500ms; write the unit ("1500ms")',
      'duration-as-number config.steps[1].after: a bare number is milliseconds: 2 is 2ms; write the unit ("2ms", or "2s" if seconds were meant)',
    ]);
  });

  it('suggests a name only when it is plausibly the one meant', () => {
    const known = ['allowedLateness', 'maxOutOfOrderness', 'field', 'size', 'slide'];
    expect(closestName('allowedLatenes', known)).toBe('allowedLateness');
    expect(closestName('maxOutOfOrder', known)).toBe('maxOutOfOrderness');
    expect(closestName('feild', known)).toBe('field');
    expect(closestName('Size', known)).toBe('size');
    expect(closestName('colour', known)).toBeUndefined();
    expect(closestName('s', known)).toBeUndefined();
  });
});
