/** Issue 10 item 11: a param named `__proto__` was accepted, then dropped from the document. */
import { describe, expect, it } from 'vitest';
import { validateDocument } from './validate.js';

const registry = { get: () => undefined, types: () => [] } as never;

describe('reserved param names', () => {
  it('refuses __proto__, constructor and prototype with a diagnostic naming the param', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const r = validateDocument(`{"format":"sluice/v1","nodes":[],"edges":[],"params":{"${name}":{"type":"number","value":1}}}`, registry);
      expect(r.ok, name).toBe(false);
      expect(r.diagnostics[0], name).toMatchObject({
        code: 'invalid-id',
        path: `params.${name}`,
        message: `"${name}" is reserved (a name every object has); rename the param`,
      });
    }
    expect(
      validateDocument('{"format":"sluice/v1","nodes":[],"edges":[],"params":{"proto":{"type":"number","value":1}}}', registry).ok,
    ).toBe(true);
  });
});
