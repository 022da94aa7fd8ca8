/** A console sink is a log people read: it prints what the pipeline's privacy lets be shown (docs/privacy.md). */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';

async function printed(privacy?: Record<string, unknown>): Promise<string[]> {
  const { document, diagnostics } = compilePipeline({
    format: 'sluice/v1',
    nodes: [
      { id: 'tx', type: 'source.generator', config: { scenario: 'transactions', count: 5, seed: 3 } },
      { id: 'console', type: 'sink.console', config: {} },
    ],
    edges: [{ id: 'e1', source: 'tx', target: 'console' }],
    ...(privacy ? { privacy } : {}),
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const lines: string[] = [];
  const runner = new EmbeddedRunner();
  try {
    const handle = await runner.deploy(document!, { baseDir: tmpdir(), consoleWriter: (l) => lines.push(l) });
    expect((await handle.done).status).toBe('completed');
  } finally {
    await runner.close();
  }
  return lines;
}

describe('sink.console', () => {
  it('prints card ids redacted by default, as they are when the document opts out, masked by its rules', async () => {
    const masked = (await printed()).map((l) => JSON.parse(l));
    expect(masked).toHaveLength(5);
    expect(masked.every((e) => e.card_id === '***' && typeof e.amount === 'number')).toBe(true);

    const shown = (await printed({ maskPersonalFields: false })).map((l) => JSON.parse(l));
    expect(shown.every((e) => /^card-\d{5}$/.test(e.card_id))).toBe(true);

    const ruled = (await printed({ mask: [{ field: 'card_id', op: 'keep_last', keep: 2 }] })).map((l) => JSON.parse(l));
    expect(ruled.map((e) => e.card_id)).toEqual(shown.map((e) => `********${e.card_id.slice(-2)}`));
  });
});
