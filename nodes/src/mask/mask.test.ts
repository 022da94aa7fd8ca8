import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { maskDefinition, maskSchema } from './definition.js';
import { maskOperator } from './operator.js';

describeGoldenCases('mask', new URL('./cases', import.meta.url));

const KEY = 'test-key-123';

function mask(config: Record<string, unknown>, secrets: Record<string, string> = { CARD_KEY: KEY }): Operator {
  return maskOperator(testContext({ config: maskDefinition.config.parse(config), secrets })) as Operator;
}

function run(op: Operator, events: Record<string, unknown>[]): Record<string, unknown>[] {
  const col = recordingCollector('m', () => true);
  op.process(Object.freeze(events.map((e) => Object.freeze(e) as Event)), col, 'in');
  return plain(col.outputs.out ?? []) as Record<string, unknown>[];
}

describe('mask: hmac', () => {
  // Expected values computed by hand: printf '%s' VALUE | openssl dgst -sha256 -hmac test-key-123
  it('gives the hex HMAC-SHA256 of the text under the secret key, whole or cut to `length`', () => {
    const out = run(mask({ fields: [{ field: 'card', op: 'hmac', keySecret: 'CARD_KEY' }] }), [
      { card: '4111111111111111' },
      { card: '5500005555555559' },
      { card: 42 },
      { card: 'héllo' },
      { card: '' },
    ]);
    expect(out.map((e) => e.card)).toEqual([
      '0c6a689bfbaefc5b06c75c7ecee7680edb06c85504b2e29670839a8c86341a41',
      '60a8353955be337bc4db2676724d68671b1b5d37a72f185188f14b5b407a8947',
      '9ee143a836280796d3378c61cc30a7c145086d1034f390db45237dd10dc92a2b', // the number 42 as its text "42"
      '997f91fd55fc04ed8fc496c5480b19da89a34457e483706f285c139d8bee124b', // UTF-8
      '9b303ff0b50a65df21d67e93dc89a59135e5d61854e18e2a85b6523a9bffe872',
    ]);
    const short = run(mask({ fields: [{ field: 'card.id', op: 'hmac', keySecret: 'CARD_KEY', length: 16 }] }), [
      { card: { id: 'card-00042', brand: 'visa' } },
    ]);
    expect(short).toEqual([{ card: { id: '673f1598b55e0945', brand: 'visa' } }]);
  });

  it('needs its secret at start: an unset one fails, naming it', () => {
    expect(() => mask({ fields: [{ field: 'card', op: 'hmac', keySecret: 'CARD_KEY' }] }, {})).toThrow(/secret CARD_KEY is not set/);
  });
});

describe('mask', () => {
  it('never changes its (frozen) input and keeps event time on the new object; an event it does not touch passes as it is', () => {
    const input = Object.freeze({ card: '4111111111111111', nested: Object.freeze({ email: 'a@b.c' }), [EVENT_TIME]: 7 }) as Event;
    const col = recordingCollector('m', () => true);
    const op = mask({
      fields: [
        { field: 'card', op: 'keep_last', keep: 4 },
        { field: 'nested.email', op: 'drop' },
      ],
    });
    const untouched = Object.freeze({ other: 1 }) as Event;
    op.process([input, untouched], col, 'in');
    const [out, same] = col.outputs.out!;
    expect(plain([out!])).toEqual([{ card: '************1111', nested: {} }]);
    expect(out![EVENT_TIME]).toBe(7);
    expect(input.card).toBe('4111111111111111');
    expect(same).toBe(untouched);
  });

  it('top-level drop leaves the field out, and so does a null one', () => {
    const out = run(mask({ fields: [{ field: 'email', op: 'drop' }] }), [{ a: 1, email: 'x@y.z' }, { a: 2, email: null }, { a: 3 }]);
    expect(out).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(out.every((e) => !Object.hasOwn(e, 'email'))).toBe(true);
  });

  it('a value an op cannot mask becomes null, never the original', () => {
    const out = run(
      mask({
        fields: [
          { field: 'a', op: 'keep_last', keep: 2 },
          { field: 'b', op: 'range', width: 5 },
          { field: 'c', op: 'day' },
        ],
      }),
      [{ a: { secret: 'x' }, b: 'twelve', c: { at: 1 } }],
    );
    expect(out).toEqual([{ a: null, b: null, c: null }]);
  });

  it('range: buckets start at multiples of the width, negative numbers and numeric text included', () => {
    const out = run(mask({ fields: [{ field: 'n', op: 'range', width: 10 }] }), [{ n: 0 }, { n: 9.99 }, { n: -1 }, { n: '35' }]);
    expect(out.map((e) => e.n)).toEqual(['0-9', '0-9', '-10--1', '30-39']);
  });
});

describe('mask definition', () => {
  const problems = (fields: unknown[]) => maskDefinition.check!(maskDefinition.config.parse({ fields }));

  it('names the field and the op in every problem', () => {
    expect(
      problems([
        { field: 'card', op: 'hmac' },
        { field: 'phone', op: 'keep_last' },
        { field: 'age', op: 'range' },
        { field: 'email', op: 'drop', keep: 3 },
        { field: 'card', op: 'redact' },
      ]),
    ).toEqual([
      {
        path: 'config.fields[0].keySecret',
        code: 'mask-option-missing',
        message: '"card" (hmac): keySecret is required: the name of the secret holding the key',
      },
      {
        path: 'config.fields[1].keep',
        code: 'mask-option-missing',
        message: '"phone" (keep_last): keep is required: how many characters to keep at the end',
      },
      { path: 'config.fields[2].width', code: 'mask-option-missing', message: '"age" (range): width is required: the bucket width' },
      {
        path: 'config.fields[3].keep',
        code: 'mask-option-ignored',
        severity: 'warning',
        message: '"email" (drop): keep does not apply to drop and is ignored',
      },
      {
        path: 'config.fields[4].field',
        code: 'mask-field-twice',
        severity: 'warning',
        message: '"card" (redact): the field is already masked by config.fields[0]; the rules apply in order',
      },
    ]);
  });

  it('refuses an unknown op and a key that is not a secret name', () => {
    expect(maskDefinition.config.safeParse({ fields: [{ field: 'a', op: 'encrypt' }] }).success).toBe(false);
    expect(maskDefinition.config.safeParse({ fields: [{ field: 'a', op: 'hmac', keySecret: 'my key' }] }).success).toBe(false);
  });

  it('reads the top-level fields it masks and passes events on (projection); types what it leaves', () => {
    const c = maskDefinition.config.parse({
      fields: [
        { field: 'customer.email', op: 'drop' },
        { field: 'card', op: 'hmac', keySecret: 'K' },
        { field: 'age', op: 'range', width: 10, output: 'lower' },
      ],
    });
    expect(maskDefinition.fieldUse!(c, () => true)).toEqual({ reads: ['customer', 'card', 'age'], forwards: true });
    expect(
      maskSchema(c, {
        fields: { customer: 'object', 'customer.email': 'string', card: 'number', age: 'number', x: 'boolean' },
        open: false,
      }),
    ).toEqual({ fields: { customer: 'object', card: 'string', age: 'number', x: 'boolean' }, open: false });
  });
});
