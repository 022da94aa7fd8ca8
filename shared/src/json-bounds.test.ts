import { describe, expect, it } from 'vitest';
import { validateDocument } from './graph/validate.js';
import { findDepthExcess, findNonFinite, parseBoundedJson, valueDepth } from './json-bounds.js';
import { MAX_DOCUMENT_DEPTH } from './limits.js';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('findDepthExcess', () => {
  it('counts brackets outside strings only, and says where the limit was passed', () => {
    expect(findDepthExcess('{"a":[1,{"b":2}]}', 3)).toBeUndefined();
    // `{` at 0 is 1, `[` at 5 is 2, `{` at 8 is 3: past a limit of 2 at offset 8.
    expect(findDepthExcess('{"a":[1,{"b":2}]}', 2)).toEqual({ limit: 2, offset: 8, index: 0 });
    // Brackets and escaped quotes inside strings do not count.
    expect(findDepthExcess('{"a":"[[[[\\"{{{{"}', 1)).toBeUndefined();
  });

  it('names the top-level array element that is too deep', () => {
    // Element 2 holds the third level.
    expect(findDepthExcess('[{"a":1},{"b":[]},{"c":[[]]}]', 3)?.index).toBe(2);
  });

  it('scans a 100,000-deep text without recursion (no stack overflow)', () => {
    expect(findDepthExcess(nested(100_000), 64)).toMatchObject({ offset: 64 });
  });
});

describe('findNonFinite and valueDepth', () => {
  it('names the path of 1e400, which JSON.parse reads as Infinity', () => {
    expect(findNonFinite(JSON.parse('{"nodes":[{"config":{"x":1e400}}]}'))).toBe('nodes[0].config.x');
    expect(findNonFinite({ a: [1, -2.5e300] })).toBeUndefined();
  });

  it('measures depth iteratively', () => {
    expect(valueDepth(3)).toBe(0);
    expect(valueDepth({ a: [{}] })).toBe(3);
    expect(valueDepth(JSON.parse(nested(100_000)), 40)).toBe(41);
  });
});

describe('parseBoundedJson', () => {
  it('refuses too deep, non-finite and malformed text with a code', () => {
    expect(parseBoundedJson(nested(65), 64)).toMatchObject({ ok: false, code: 'too-deep' });
    expect(parseBoundedJson(nested(64), 64)).toMatchObject({ ok: true });
    expect(parseBoundedJson('{"a":-1e999}', 64)).toMatchObject({
      ok: false,
      code: 'non-finite-number',
      message: expect.stringContaining(' at a '),
    });
    expect(parseBoundedJson('{', 64)).toMatchObject({ ok: false, code: 'malformed-json' });
  });
});

describe('validateDocument on text (sluice validate, run, check)', () => {
  it('refuses a 100,000-deep document as too deep instead of calling it valid', () => {
    const text = `{"format":"sluice/v1","nodes":[],"edges":[],"x":${nested(100_000)}}`;
    const r = validateDocument(text, { get: () => undefined, types: () => [] } as never);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: 'too-deep', message: expect.stringContaining(`the limit is ${MAX_DOCUMENT_DEPTH}`) });
  });

  it('refuses 1e400 naming its path', () => {
    const r = validateDocument('{"format":"sluice/v1","nodes":[],"edges":[],"params":{"p":{"type":"number","value":1e400}}}', {
      get: () => undefined,
      types: () => [],
    } as never);
    expect(r.diagnostics[0]).toMatchObject({ code: 'non-finite-number', path: 'params.p.value' });
  });
});
