/**
 * Issue 13, defect 2: every user action is one undo step. Deleting a connected node (alone or in
 * a multi-selection) comes back with its edges on one Ctrl+Z, and the autosave never stores the
 * node without its edges; a paste and a connection are one step each too.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile, connect, drawn, selectTwo, storedDocument } from './canvas-session.js';

const suite = canvasSessionForFile();

const ALL = { nodes: ['console1', 'filter1', 'generator1'], edges: ['e1', 'e2'] };

/** The node and edge ids of a document, sorted as `drawn` gives them. */
const idsOf = (d: PipelineDocument) => ({ nodes: d.nodes.map((n) => n.id).sort(), edges: d.edges.map((e) => e.id).sort() });

async function savedAll(page: Page): Promise<void> {
  await expect.poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '', { timeout: 10_000 }).toBe('Save');
}

describe('one undo step per action (Chromium)', () => {
  it('delete, multi-select delete, paste and connect each undo in one Ctrl+Z; the autosave never stores half a delete', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/new`);
    await page.getByLabel('Pipeline name').fill('Undo steps');
    for (const type of ['source.generator', 'filter', 'sink.console']) await page.getByTestId(`palette-${type}`).click();
    for (const id of ALL.nodes) await page.getByTestId(`node-${id}`).waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.locator('.react-flow__controls-fitview').click();
    await connect(page, 'generator1', 'filter1');
    await connect(page, 'filter1', 'console1');
    await expect.poll(() => drawn(page)).toEqual(ALL);
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.waitForURL(/#\/p\//);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/p/', ''));
    await savedAll(page);

    // Every document the page stores from now on.
    const stored: PipelineDocument[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/api/pipelines/${encodeURIComponent(id)}`))
        stored.push(JSON.parse(r.postData() ?? '{}') as PipelineDocument);
    });

    // Delete a connected node: it goes with both its edges; one Ctrl+Z brings all three back.
    await page.getByTestId('node-filter1').click();
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
    await page.keyboard.press('Delete');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['console1', 'generator1'], edges: [] });
    await savedAll(page);
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual(ALL);
    await savedAll(page);
    expect(idsOf(await storedDocument(session.base, id))).toEqual(ALL);
    // Stored: the delete, then the undo; never the filter without its edges.
    expect(stored.map(idsOf)).toEqual([{ nodes: ['console1', 'generator1'], edges: [] }, ALL]);

    // Two selected nodes deleted together come back together.
    await selectTwo(page, 'filter1', 'console1');
    await page.keyboard.press('Delete');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['generator1'], edges: [] });
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual(ALL);

    // A paste of two connected nodes (and the edge between them) is one step.
    await selectTwo(page, 'filter1', 'console1');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect
      .poll(() => drawn(page))
      .toEqual({ nodes: ['console1', 'console1_copy', 'filter1', 'filter1_copy', 'generator1'], edges: ['e1', 'e2', 'e3'] });
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual(ALL);

    // A connection is one step: undo takes the edge, not a node.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ALL.nodes, edges: ['e1'] });
    await savedAll(page);
    expect(
      stored.every((d) => !(d.nodes.some((n) => n.id === 'filter1') && d.edges.length < 2 && d.edges.every((e) => e.target !== 'filter1'))),
    ).toBe(true);
    await page.close();
  }, 120_000);
});
