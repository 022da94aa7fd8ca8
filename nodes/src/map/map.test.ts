import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { mapDefinition } from './definition.js';
import { mapOperator } from './operator.js';

describeGoldenCases('map', new URL('./cases', import.meta.url));

function map(config: Record<string, unknown>): Operator {
  return mapOperator(testContext({ config: mapDefinition.config.parse(config) })) as Operator;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

describe('map', () => {
  it('never changes its (frozen) input, and keeps event metadata on the new object', () => {
    const input = deepFreeze({ a: 1, user: { tier: 'silver', tags: ['x'] }, drop: true, [EVENT_TIME]: 10, [INGEST_TIME]: 3 }) as Event;
    const before = JSON.stringify(input);
    const col = recordingCollector('m', () => true);
    map({ set: { b: 'a + 1', 'user.tier': '"gold"', 'user.level.n': '1' }, remove: ['drop', 'user.tags'] }).process(
      Object.freeze([input]),
      col,
      'in',
    );
    const out = col.outputs.out![0]!;
    expect(out).not.toBe(input);
    expect(plain([out])).toEqual([{ a: 1, user: { tier: 'gold', level: { n: 1 } }, b: 2 }]);
    expect(out[EVENT_TIME]).toBe(10);
    expect(out[INGEST_TIME]).toBe(3);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('sends the unchanged input to the error port when an expression fails, and keeps going', () => {
    const col = recordingCollector('m', () => true);
    map({ set: { ok: 'true', y: 'x * 2' } }).process([{ x: 1 }, { x: 'oops' }, { x: 3 }], col, 'in');
    expect(plain(col.outputs.out)).toEqual([
      { x: 1, ok: true, y: 2 },
      { x: 3, ok: true, y: 6 },
    ]);
    expect(col.counters.errors).toBe(1);
    expect(plain(col.outputs.error)).toMatchObject([{ x: 'oops', _error: { node: 'm', code: 'expr-eval' } }]);
    expect(col.outputs.error![0]).not.toHaveProperty('ok');
  });

  it('changes an owned batch in place, as the copy would have been, and gives a failed event back as it came', () => {
    const col = recordingCollector('m', () => true);
    const nested = { tier: 'silver' };
    const a = { x: 1, user: nested, [EVENT_TIME]: 7 } as Event;
    const bad = { x: 'oops', user: nested, keep: 1 } as Event;
    map({ set: { ok: 'true', 'user.tier': '"gold"', y: 'x * 2' } }).process([a, bad], col, 'in', true);
    expect(col.outputs.out![0]).toBe(a);
    expect(plain([a])).toEqual([{ x: 1, user: { tier: 'gold' }, ok: true, y: 2 }]);
    expect(a[EVENT_TIME]).toBe(7);
    // The nested object was copied, not changed: another holder of it still sees silver.
    expect(nested).toEqual({ tier: 'silver' });
    // ok and user were written before y failed: both are put back (ok was absent).
    expect(plain(col.outputs.error)).toMatchObject([{ x: 'oops', user: { tier: 'silver' }, keep: 1 }]);
    expect(col.outputs.error![0]).not.toHaveProperty('ok');
    expect(Object.keys(bad)).toEqual(['x', 'user', 'keep']);
  });

  it('hands an owned batch on whole when every event passes, and event by event from a failure on', () => {
    const col = recordingCollector('m', () => true);
    const wholes: (readonly Event[])[] = [];
    const withAll = Object.assign(col, {
      emitAll: (events: readonly Event[]) => {
        wholes.push(events);
        for (const e of events) col.emit(e);
      },
    });
    const good = [{ x: 1 }, { x: 2 }] as Event[];
    map({ set: { y: 'x * 2' } }).process(good, withAll, 'in', true);
    expect(wholes).toEqual([good]);
    expect(wholes[0]).toBe(good);
    map({ set: { y: 'x * 2' } }).process([{ x: 3 }, { x: 'bad' }, { x: 4 }] as Event[], withAll, 'in', true);
    expect(wholes).toHaveLength(1);
    expect(plain(col.outputs.out)).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 4 },
      { x: 3, y: 6 },
      { x: 4, y: 8 },
    ]);
    expect(plain(col.outputs.error)).toMatchObject([{ x: 'bad' }]);
  });

  it('copies an owned batch when it removes fields (a removed field is left out of a new object)', () => {
    const col = recordingCollector('m', () => true);
    const a = { x: 1, drop: true } as Event;
    map({ set: { y: 'x + 1' }, remove: ['drop'] }).process([a], col, 'in', true);
    expect(col.outputs.out![0]).not.toBe(a);
    expect(plain(col.outputs.out)).toEqual([{ x: 1, y: 2 }]);
  });

  it('lists its expressions by path, validates field names, and infers the output schema', () => {
    const c = mapDefinition.config.parse({ set: { total: 'q * p', 'user.tier': '"gold"' }, remove: ['p'] });
    expect(mapDefinition.expressions!(c)).toEqual([
      { path: 'config.set.total', source: 'q * p', role: 'value', extraFields: {} },
      // A later expression sees the fields set before it.
      { path: 'config.set.user.tier', source: '"gold"', role: 'value', extraFields: { total: 'any' } },
    ]);
    expect(mapDefinition.config.safeParse({ set: { 'a..b': '1' } }).success).toBe(false);
    expect(mapDefinition.config.safeParse({ set: { a: '' } }).success).toBe(false);
    const schema = mapDefinition.inferSchema!(c, {
      inputs: { in: { fields: { q: 'number', p: 'number', 'user.tier': 'string' }, open: false } },
    }).out!;
    expect(Object.keys(schema.fields).sort()).toEqual(['q', 'total', 'user', 'user.tier']);
    expect(schema.fields.user).toBe('object');
    expect(mapDefinition.check!(mapDefinition.config.parse({ set: { a: '1' }, remove: ['a'] }))).toHaveLength(1);
    expect(mapDefinition.config.safeParse(mapDefinition.example).success).toBe(true);
  });
});
