/**
 * Zod issues in users' words: a required field that is absent says so, whatever its shape, and
 * a wrong value shows the value.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { describeIssue, formatPath } from './zod-issues.js';

const shapes = z.object({
  scenario: z.enum(['orders', 'sensors']),
  path: z.string(),
  rate: z.number(),
  table: z.object({ rows: z.array(z.unknown()) }),
  keyBy: z.array(z.string()),
  stopAtEnd: z.boolean(),
  mode: z.literal('core'),
  size: durationSchema,
  when: z.discriminatedUnion('op', [z.object({ op: z.literal('any') }), z.object({ op: z.literal('='), value: z.number() })]),
});

/** `path: message [missing]` per issue, for one config. */
function described(input: unknown, reportInput = true): string[] {
  const r = shapes.safeParse(input, { reportInput });
  return r.success
    ? []
    : r.error.issues.map((i) => `${formatPath(i.path)}: ${describeIssue(i).message}${describeIssue(i).missing ? ' [missing]' : ''}`);
}

describe('describeIssue', () => {
  it('says a required field is missing, for every shape (an enum lists what it takes)', () => {
    expect(described({})).toEqual([
      'scenario: missing required field (one of "orders", "sensors") [missing]',
      'path: missing required field [missing]',
      'rate: missing required field [missing]',
      'table: missing required field [missing]',
      'keyBy: missing required field [missing]',
      'stopAtEnd: missing required field [missing]',
      'mode: missing required field (must be "core") [missing]',
      'size: missing required field [missing]',
      'when: missing required field [missing]',
    ]);
  });

  it('says which field picks a variant when the object is there without it', () => {
    const full = { scenario: 'orders', path: 'a', rate: 1, table: { rows: [] }, keyBy: [], stopAtEnd: true, mode: 'core', size: '5m' };
    expect(described({ ...full, when: {} })).toEqual(['when.op: missing required field (one of "any", "=") [missing]']);
  });

  it('shows the wrong value, never "missing", when the field is there', () => {
    const wrong = {
      scenario: 'order',
      path: 3,
      rate: '5',
      table: [],
      keyBy: 'k',
      stopAtEnd: 'yes',
      mode: 'jet',
      size: true,
      when: { op: '<' },
    };
    expect(described(wrong)).toEqual([
      'scenario: string "order" is not one of "orders", "sensors"',
      'path: expected string, got number 3',
      'rate: expected number, got string "5"',
      'table: expected object, got a list',
      'keyBy: expected array, got string "k"',
      'stopAtEnd: expected boolean, got string "yes"',
      'mode: string "jet" is not "core"',
      'size: expected string or number, got boolean true',
      'when.op: string "<" is not one of "any", "="',
    ]);
  });

  it('without the input reported (reportInput off), says what was expected and never claims a field is missing', () => {
    expect(described({ scenario: 'order', path: 3 }, false).slice(0, 3)).toEqual([
      'scenario: must be one of "orders", "sensors"',
      'path: expected string',
      'rate: expected number',
    ]);
  });
});
