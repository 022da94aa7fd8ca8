/**
 * Issue 13, defects 5 and 6: what a pipeline looks like when it opens. The minimap draws every
 * node at once; the view is fitted to the pipeline opened, whatever the last one's view was; a
 * document without positions is laid out in layers, not in one row.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile } from './canvas-session.js';

/** Node ids whose box is not wholly inside the canvas (none once the view is fitted). */
async function outOfView(page: Page, ids: string[]): Promise<string[]> {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const out: string[] = [];
  for (const id of ids) {
    const b = await page.getByTestId(`node-${id}`).boundingBox();
    if (!b || b.x < canvas.x || b.y < canvas.y || b.x + b.width > canvas.x + canvas.width || b.y + b.height > canvas.y + canvas.height)
      out.push(id);
  }
  return out;
}

/** The zoom of the canvas's viewport (its CSS transform's scale). */
async function zoom(page: Page): Promise<number> {
  const style = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
  return Number(/scale\(([\d.]+)\)/.exec(style)?.[1] ?? Number.NaN);
}

/** Where a node is on the canvas, in flow coordinates (React Flow's transform of the node). */
async function flowPosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const style = (await page.locator(`.react-flow__node[data-id="${id}"]`).getAttribute('style')) ?? '';
  const m = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(style);
  return { x: Number(m?.[1]), y: Number(m?.[2]) };
}

const IOT = ['sensors', 'vibration_check', 'per_device', 'rounded', 'thresholds', 'critical_alerts', 'warnings', 'vibration_spikes'];

const suite = canvasSessionForFile();

describe('opening a pipeline (Chromium)', () => {
  it('the minimap draws every node of an example as soon as it opens, before any click', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    // iot-maintenance: sensors -> vibration_check -> per_device -> rounded -> thresholds -> critical_alerts, warnings;
    // vibration_check -> vibration_spikes.
    await page.goto(`${session.base}/#/p/iot-maintenance`);
    await page.getByTestId('node-warnings').waitFor();
    await expect.poll(() => page.locator('.react-flow__minimap-node').count()).toBe(IOT.length);
    await page.close();
  }, 60_000);

  it('opening another pipeline fits the view to it, after the last one was zoomed out and panned away', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/fraud`);
    await page.getByTestId('node-per_card').waitFor();
    // Zoom out to 0.5 and pan the nodes off screen.
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    while ((await zoom(page)) > 0.55) await page.locator('.react-flow__controls-zoomout').click();
    // From the pane's empty top-right corner to its left edge: the nodes go off the left side.
    await page.mouse.move(pane.x + pane.width - 30, pane.y + 30);
    await page.mouse.down();
    await page.mouse.move(pane.x + 5, pane.y + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await outOfView(page, ['per_card'])).length).toBe(1);

    // Through the pipelines list, as a user reopens one (no page load in between).
    await page.goto(`${session.base}/#/`);
    await page.goto(`${session.base}/#/p/iot-maintenance`);
    await page.getByTestId('node-warnings').waitFor();
    await expect.poll(() => outOfView(page, IOT)).toEqual([]);
    // And with the pipeline picker on the canvas.
    while ((await zoom(page)) > 0.55) await page.locator('.react-flow__controls-zoomout').click();
    await page.getByLabel('Pipeline', { exact: true }).selectOption('fraud');
    await page.getByTestId('node-per_card').waitFor();
    await expect.poll(() => outOfView(page, ['per_card', 'large'])).toEqual([]);
    await page.close();
  }, 60_000);

  it("a document without positions opens laid out in layers (the Layout button's layout), every node in view", async () => {
    const session = suite.get();
    const doc: PipelineDocument = {
      format: 'sluice/v1',
      name: 'No positions',
      nodes: [
        { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 10 } },
        { id: 'big', type: 'filter', config: { expression: 'quantity >= 1' } },
        { id: 'shown', type: 'sink.console', config: {} },
        { id: 'all', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'gen', target: 'big' },
        { id: 'e2', source: 'big', target: 'shown' },
        { id: 'e3', source: 'gen', target: 'all' },
      ],
    };
    const r = await fetch(`${session.base}/api/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    expect(r.status).toBe(201);
    const { pipeline } = (await r.json()) as { pipeline: { id: string } };
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/${pipeline.id}`);
    await page.getByTestId('node-all').waitFor();
    // Columns by longest path from the source, 270 apart; rows 130 apart in document order:
    // gen (0, row 0); big and all (column 1, rows 0 and 1); shown (column 2).
    expect(await flowPosition(page, 'gen')).toEqual({ x: 40, y: 40 });
    expect(await flowPosition(page, 'big')).toEqual({ x: 310, y: 40 });
    expect(await flowPosition(page, 'all')).toEqual({ x: 310, y: 170 });
    expect(await flowPosition(page, 'shown')).toEqual({ x: 580, y: 40 });
    await expect.poll(() => outOfView(page, ['gen', 'big', 'shown', 'all'])).toEqual([]);
    await page.close();
    await fetch(`${session.base}/api/pipelines/${pipeline.id}`, { method: 'DELETE' });
  }, 60_000);
});
