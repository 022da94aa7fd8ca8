/** A node's error samples: distinct messages counted, bounded, redacted, restored, merged. */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorSamples, MAX_MESSAGE_CHARS, mergeSamples } from './error-samples.js';

afterEach(() => {
  delete process.env.SLUICE_SECRET_SAMPLES_TEST;
});

describe('error samples', () => {
  it('counts each distinct message and keeps the first three; later messages are not kept', () => {
    const s = new ErrorSamples();
    for (const m of ['a', 'b', 'a', 'c', 'd', 'a', 'd', 'b']) s.record(new Error(m));
    expect(s.list()).toEqual([
      { message: 'a', count: 3 },
      { message: 'b', count: 2 },
      { message: 'c', count: 1 },
    ]);
  });

  it('masks a secret value and clips a long message to one bounded line', () => {
    process.env.SLUICE_SECRET_SAMPLES_TEST = 'hunter2-canary';
    const s = new ErrorSamples();
    s.record(new Error('login refused for postgres://ada:pw@db/x with hunter2-canary'));
    s.record(`line one\nline two ${'x'.repeat(500)}`);
    const [first, second] = s.list();
    expect(first!.message).toBe('login refused for postgres://ada:***@db/x with ***');
    expect(second!.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(second!.message.startsWith('line one line two xxx')).toBe(true);
    expect(second!.message.endsWith('x…')).toBe(true);
  });

  it('restored from a commit, counts go on from the committed ones', () => {
    const s = new ErrorSamples([{ message: 'bad amount', count: 4 }]);
    s.record(new Error('bad amount'));
    s.record(new Error('other'));
    expect(s.list()).toEqual([
      { message: 'bad amount', count: 5 },
      { message: 'other', count: 1 },
    ]);
  });

  it('merges partitions and tasks: the same message summed, the three most frequent kept', () => {
    const merged = mergeSamples([
      [
        { message: 'a', count: 1 },
        { message: 'b', count: 5 },
      ],
      [
        { message: 'a', count: 3 },
        { message: 'c', count: 2 },
        { message: 'd', count: 1 },
      ],
      [],
    ]);
    expect(merged).toEqual([
      { message: 'b', count: 5 },
      { message: 'a', count: 4 },
      { message: 'c', count: 2 },
    ]);
  });
});
