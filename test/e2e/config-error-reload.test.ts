/**
 * Issue 13, defect 1: a node whose config has an error must still be drawn, with its edges,
 * after a reload. Built as a user does (palette, drag between handles, the form), saved by the
 * autosave, then reloaded several times: every time all 4 nodes and 3 edges are on the canvas.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, connect, drawn, storedDocument } from './canvas-session.js';

const suite = canvasSessionForFile();

const NODES = ['console1', 'filter1', 'generator1', 'window1'];

async function waitForWholeGraph(page: Page): Promise<void> {
  // Wait until the document is on the canvas and its validation has marked the filter.
  await page.locator('[data-testid="node-filter1"] [aria-label="has problems"]').waitFor({ state: 'attached' });
  await expect.poll(async () => (await page.getByTestId('problems').textContent()) ?? '').toContain('filter1: config.expression');
}

describe('a node with a config error after a reload (Chromium)', () => {
  it('draws all 4 nodes and 3 edges on every reload', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    // A busy main thread, as on the reporter's machine: the browser's size observations reach
    // React Flow a task late, so a render can land between a node's first measuring and its use
    // (here the deferred validation marking the filter). On an idle machine the race is rare.
    await page.addInitScript(() => {
      const Native = window.ResizeObserver;
      window.ResizeObserver = class extends Native {
        constructor(callback: ResizeObserverCallback) {
          super((entries, observer) => setTimeout(() => callback(entries, observer), 0));
        }
      };
    });
    await page.goto(`${session.base}/#/new`);
    await page.getByLabel('Pipeline name').fill('Config error reload');
    for (const type of ['source.generator', 'filter', 'window', 'sink.console']) await page.getByTestId(`palette-${type}`).click();
    for (const id of NODES) await page.getByTestId(`node-${id}`).waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.locator('.react-flow__controls-fitview').click();
    await connect(page, 'generator1', 'filter1');
    await connect(page, 'filter1', 'window1');
    await connect(page, 'window1', 'console1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    // The first Save creates the pipeline; from then on the autosave stores each change.
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.waitForURL(/#\/p\//);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/p/', ''));

    await page.getByTestId('node-filter1').click();
    await page.getByLabel('config.expression').fill('quantity >= ');
    await expect
      .poll(async () => (await storedDocument(session.base, id)).nodes.find((n) => n.id === 'filter1')?.config.expression, {
        timeout: 10_000,
      })
      .toBe('quantity >= ');
    await expect.poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '').toBe('Save');
    const stored = await storedDocument(session.base, id);
    expect(stored.nodes.map((n) => n.id).sort()).toEqual(NODES);
    expect(stored.edges).toHaveLength(3);
    const edgeIds = stored.edges.map((e) => e.id).sort();

    for (let i = 0; i < 8; i++) {
      await page.reload();
      await waitForWholeGraph(page);
      await expect.poll(() => drawn(page), { message: `reload ${i + 1}` }).toEqual({ nodes: NODES, edges: edgeIds });
    }
    // Fixing the expression changes the node's look again: it stays, with its edges.
    await page.getByTestId('node-filter1').click();
    await page.getByLabel('config.expression').fill('quantity >= 1');
    await expect.poll(() => page.locator('[data-testid="node-filter1"] [aria-label="has problems"]').count()).toBe(0);
    await expect.poll(() => drawn(page)).toEqual({ nodes: NODES, edges: edgeIds });
    await page.close();
  }, 120_000);
});
