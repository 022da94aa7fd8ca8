import { describe, expect, it } from 'vitest';
import { compareOutputs } from './compare-outputs.js';

describe('the drills checker', () => {
  it('counts lost, duplicated and wrong rows, ignoring order and key order', () => {
    const expected = [{ a: 1, b: 2 }, { a: 2 }, { a: 3 }];
    const actual = [{ b: 2, a: 1 }, { a: 3 }, { a: 3 }, { a: 9 }];
    const c = compareOutputs(expected, actual);
    expect(c).toMatchObject({ expected: 3, actual: 4, lost: 1, duplicated: 1, wrong: 1 });
    expect(c.examples.lost).toEqual(['{"a":2}']);
  });

  it('finds nothing when the outputs are the same rows', () => {
    expect(compareOutputs([{ x: 1 }, { x: 1 }], [{ x: 1 }, { x: 1 }])).toMatchObject({ lost: 0, duplicated: 0, wrong: 0 });
  });
});
