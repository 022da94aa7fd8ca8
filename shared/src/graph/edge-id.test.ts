/** GRAPH_FORMAT.md: edge ids follow the node id rule, so every edge can be tapped by its id. */
import { describe, expect, it } from 'vitest';
import { validateDocument } from './validate.js';

const registry = { get: () => undefined, types: () => [] } as never;
const doc = (edgeId: string) => JSON.stringify({ format: 'sluice/v1', nodes: [], edges: [{ id: edgeId, source: 'a', target: 'b' }] });

describe('edge ids', () => {
  it('refuses an id outside [A-Za-z0-9_-]{1,64}, naming it', () => {
    for (const id of ['edge three', '', 'a'.repeat(65), 'e/1', 'é']) {
      const r = validateDocument(doc(id), registry);
      expect(r.ok, id).toBe(false);
      expect(r.diagnostics, id).toContainEqual(
        expect.objectContaining({
          code: 'invalid-id',
          message: `${JSON.stringify(id)} is not a valid edge id (1 to 64 letters, digits, _ or -)`,
        }),
      );
    }
  });

  it('accepts letters, digits, _ and - up to 64', () => {
    for (const id of ['e1', 'orders_to-window', 'a'.repeat(64)]) {
      const r = validateDocument(doc(id), registry);
      expect(
        r.diagnostics.filter((d) => d.code === 'invalid-id'),
        id,
      ).toEqual([]);
    }
  });
});
