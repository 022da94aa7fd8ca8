/**
 * Issue 13, defect 18, in a real browser: node help is rendered markdown (code, not backticks),
 * a tumbling window's form has no slide or gap field (a sliding one shows slide, a session gap),
 * and the generator's startTime takes an ISO time typed without JSON quotes.
 */
import { describe, expect, it } from 'vitest';
import { ownBuildSession } from './own-build-session.js';

const session = ownBuildSession('help');

type Doc = { nodes: { id: string; config: Record<string, unknown> }[] };
const stored = async (): Promise<Doc> =>
  ((await (await fetch(`${session.base}/api/pipelines/help`)).json()) as { pipeline: { document: Doc } }).pipeline.document;
const configOf = async (id: string) => (await stored()).nodes.find((n) => n.id === id)?.config;

describe('node help and fields (Chromium)', () => {
  it('help is markdown; a window shows only its type’s timing fields; startTime takes an ISO time as typed', async () => {
    const doc = {
      format: 'sluice/v1',
      id: 'help',
      name: 'Help and fields',
      nodes: [
        { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 10 } },
        {
          id: 'win',
          type: 'window',
          position: { x: 300, y: 0 },
          config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }] },
        },
        { id: 'out', type: 'sink.console', position: { x: 600, y: 0 }, config: {} },
      ],
      edges: [
        { id: 'e1', source: 'gen', target: 'win' },
        { id: 'e2', source: 'win', target: 'out' },
      ],
    };
    const created = await fetch(`${session.base}/api/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    expect(created.status).toBe(201);
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/help`);
    await page.getByTestId('node-win').click();
    const panel = page.getByRole('complementary', { name: 'Node win' });
    await panel.waitFor();

    // The window's help: `keyBy` is code, and no backtick is left in the text.
    const help = panel.locator('.docs');
    expect(await help.locator('code').first().textContent()).toBe('keyBy');
    expect(await help.textContent()).not.toContain('`');

    // Tumbling: size only. Sliding: size and slide. Session: gap (and the size still set, with its warning).
    const has = (field: string) => panel.getByLabel(`config.${field}`, { exact: true }).count();
    expect([await has('size'), await has('slide'), await has('gap')]).toEqual([1, 0, 0]);
    await panel.getByLabel('config.type', { exact: true }).selectOption('sliding');
    await expect.poll(() => has('slide')).toBe(1);
    expect(await has('gap')).toBe(0);
    await panel.getByLabel('config.type', { exact: true }).selectOption('session');
    await expect.poll(() => has('gap')).toBe(1);
    expect(await has('slide')).toBe(0);
    expect(await has('size')).toBe(1);
    await panel.getByLabel('config.type', { exact: true }).selectOption('tumbling');
    await expect.poll(() => has('gap')).toBe(0);

    // The generator's startTime: an ISO time typed as is is stored as that text; digits as epoch ms.
    await page.getByTestId('node-gen').click();
    const start = page.getByRole('complementary', { name: 'Node gen' }).getByLabel('config.startTime', { exact: true });
    await start.fill('2026-03-01T12:00:00Z');
    await expect.poll(async () => (await configOf('gen'))?.startTime, { timeout: 15_000 }).toBe('2026-03-01T12:00:00Z');
    expect(await page.getByTestId('problem-config.startTime').count()).toBe(0);
    await start.fill('1772366400000');
    await expect.poll(async () => (await configOf('gen'))?.startTime, { timeout: 15_000 }).toBe(1772366400000);
    await page.close();
  }, 90_000);
});
