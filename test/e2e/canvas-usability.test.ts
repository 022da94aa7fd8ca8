/**
 * Issue 13, defects 7, 8 and 10: edges are easy to click and their labels clear of the port
 * labels; the palette and the side panel collapse, the toolbar stays on one row from 1280 px and
 * the canvas stays usable at 1024x768 with a rules node open; the canvas works from the keyboard
 * (Tab to Import and to the nodes, a focus ring and a name on each node, Ctrl+A, Ctrl+S, Ctrl+Y,
 * Shift+click, Delete, `?`).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile, drawn, selectTwo } from './canvas-session.js';

const suite = canvasSessionForFile();

/** A filter (two output ports, so port labels) 40 px left of a console sink: a short edge. */
const SHORT: PipelineDocument = {
  format: 'sluice/v1',
  id: 'short-edge',
  name: 'Short edge',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 10 }, position: { x: 0, y: 0 } },
    { id: 'keep', type: 'filter', config: { expression: 'quantity >= 1' }, position: { x: 255, y: 0 } },
    { id: 'show', type: 'sink.console', config: {}, position: { x: 510, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'keep' },
    { id: 'e2', source: 'keep', target: 'show' },
  ],
};

const RULES: PipelineDocument = {
  format: 'sluice/v1',
  id: 'with-rules',
  name: 'With rules',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 10 }, position: { x: 0, y: 0 } },
    {
      id: 'tier',
      type: 'rules',
      config: {
        hitPolicy: 'first',
        inputs: [{ id: 'qty', label: 'Quantity', expression: 'quantity' }],
        outputs: [{ id: 'tier', label: 'Tier' }],
        // biome-ignore lint/suspicious/noThenProperty: the rules config calls a row's outputs `then`
        rows: [{ when: { qty: { op: '>=', value: 10 } }, then: { tier: 'bulk' } }],
        default: { tier: 'single' },
      },
      position: { x: 260, y: 0 },
    },
    { id: 'show', type: 'sink.console', config: {}, position: { x: 520, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'tier' },
    { id: 'e2', source: 'tier', target: 'show' },
  ],
};

async function store(base: string, doc: PipelineDocument): Promise<void> {
  const r = await fetch(`${base}/api/pipelines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  if (r.status !== 201) throw new Error(`storing ${doc.id}: HTTP ${r.status} ${await r.text()}`);
}

const selectedNodes = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('.react-flow__node.selected'))
      .map((el) => el.getAttribute('data-id') ?? '')
      .sort(),
  );

const edgeSelected = (page: Page, id: string) =>
  page.evaluate((edgeId) => document.querySelector(`.react-flow__edge[data-id="${edgeId}"]`)?.classList.contains('selected') ?? false, id);

describe('canvas usability (Chromium)', () => {
  it('a short edge selects along its whole visible length, 12 px either side; port labels stay inside their node', async () => {
    const { base, browser } = suite.get();
    await store(base, SHORT);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/short-edge`);
    await page.getByTestId('node-show').waitFor();
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen', 'keep', 'show'], edges: ['e1', 'e2'] });
    const from = (await page.getByTestId('node-keep').boundingBox())!;
    const to = (await page.getByTestId('node-show').boundingBox())!;
    const handle = (await page.locator('[data-testid="node-keep"] .react-flow__handle.source').first().boundingBox())!;
    const y = handle.y + handle.height / 2;
    const x0 = from.x + from.width;
    const x1 = to.x;
    expect(x1 - x0).toBeGreaterThan(25);
    const misses: string[] = [];
    // From just clear of the handles to just before the target's.
    for (let x = x0 + 8; x <= x1 - 8; x += 4)
      for (const dy of [-12, -6, 0, 6, 12]) {
        await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
        await page.mouse.click(x, y + dy);
        if (!(await edgeSelected(page, 'e2'))) misses.push(`${Math.round(x - x0)},${dy}`);
      }
    expect(misses).toEqual([]);
    // The port labels ("out", "error") are drawn inside the filter node, off the edges and their count labels.
    const labels = await page.locator('[data-testid="node-keep"] .port-label').all();
    expect(labels.length).toBe(2);
    for (const l of labels) {
      const b = (await l.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(from.x);
      expect(b.x + b.width).toBeLessThanOrEqual(from.x + from.width);
    }
    await page.close();
  }, 120_000);

  it('the toolbar is one row at 1280 and 1440 px; palette and panel collapse; 1024x768 with a rules node keeps a usable canvas', async () => {
    const { base, browser } = suite.get();
    await store(base, RULES);
    for (const width of [1280, 1440]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.goto(`${base}/#/p/with-rules`);
      await page.getByTestId('node-tier').waitFor();
      const rows = await page.evaluate(() => {
        const tops = new Set<number>();
        for (const el of Array.from(document.querySelectorAll('header.toolbar > *')))
          if ((el as HTMLElement).offsetWidth > 0)
            tops.add(Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
        return [...tops].length;
      });
      // Every visible item's middle on the same line (within a few px).
      const spread = await page.evaluate(() => {
        const mids = Array.from(document.querySelectorAll('header.toolbar > *'))
          .filter((el) => (el as HTMLElement).offsetWidth > 0)
          .map((el) => el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2);
        return Math.max(...mids) - Math.min(...mids);
      });
      expect(spread, `toolbar rows at ${width} px: ${rows}`).toBeLessThan(8);
      // And nothing runs off the right edge: every control is on screen.
      const off = await page.evaluate(() =>
        Array.from(document.querySelectorAll('header.toolbar button, header.toolbar a, header.toolbar input, header.toolbar select'))
          .filter((el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().right > window.innerWidth)
          .map((el) => el.textContent || el.getAttribute('aria-label')),
      );
      expect(off, `toolbar controls off screen at ${width} px`).toEqual([]);
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(`${base}/#/p/with-rules`);
    await page.getByTestId('node-tier').click();
    await page.getByRole('complementary', { name: 'Node tier' }).waitFor();
    const canvasWidth = async () => (await page.getByTestId('canvas').boundingBox())!.width;
    expect(await canvasWidth()).toBeGreaterThanOrEqual(420);
    // The palette collapses to a strip and comes back.
    const before = await canvasWidth();
    await page.getByRole('button', { name: 'Collapse the palette' }).click();
    await expect.poll(canvasWidth).toBeGreaterThan(before + 150);
    await expect.poll(() => page.getByLabel('Search nodes').count()).toBe(0);
    // So does the side panel.
    const wider = await canvasWidth();
    await page.getByRole('button', { name: 'Collapse the side panel' }).click();
    await expect.poll(canvasWidth).toBeGreaterThan(wider + 200);
    await page.getByRole('button', { name: 'Expand the side panel' }).click();
    await page.getByRole('complementary', { name: 'Node tier' }).waitFor();
    await page.getByRole('button', { name: 'Expand the palette' }).click();
    await page.getByLabel('Search nodes').waitFor();
    await page.close();
  }, 120_000);

  it('keyboard: Tab reaches Import and the nodes (named, with a focus ring); Ctrl+A, Shift+click, Delete, Ctrl+Z, Ctrl+Y, Ctrl+S, ?', async () => {
    const { base, browser } = suite.get();
    await store(base, { ...SHORT, id: 'keys', name: 'Keys' });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/keys`);
    await page.getByTestId('node-show').waitFor();

    // Import follows Export in the tab order.
    await page.getByRole('button', { name: 'Export' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Import');

    // Tab from the canvas reaches a node: it has a name and a visible focus ring.
    const node = page.locator('.react-flow__node[data-id="keep"]');
    expect(await node.getAttribute('aria-label')).toBe('keep: Filter node');
    await node.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe('keep');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!.querySelector('.sluice-node')!);
      return s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) >= 2
        ? 'ring'
        : `none (${s.outlineStyle} ${s.outlineWidth} ${s.boxShadow})`;
    });
    expect(ring).toBe('ring');

    // Ctrl+A on the canvas selects every node, not the page's text.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    await expect.poll(() => selectedNodes(page)).toEqual(['gen', 'keep', 'show']);
    expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');

    // Shift+click adds to the selection; Delete removes both; Ctrl+Z brings them back, Ctrl+Y removes them again.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await selectTwo(page, 'keep', 'show', 'Shift');
    await expect.poll(() => selectedNodes(page)).toEqual(['keep', 'show']);
    await page.keyboard.press('Delete');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen'], edges: [] });
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen', 'keep', 'show'], edges: ['e1', 'e2'] });
    await page.keyboard.press('Control+y');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen'], edges: [] });
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen', 'keep', 'show'], edges: ['e1', 'e2'] });
    // Backspace deletes too.
    await page.getByTestId('node-show').click();
    await page.keyboard.press('Backspace');
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['gen', 'keep'], edges: ['e1'] });
    await page.keyboard.press('Control+z');

    // Ctrl+S saves a version (not the browser's "save page"): the Save button's "Saved", not the quiet autosave.
    const saveButton = page.getByRole('button', { name: /^Save/ });
    await expect.poll(() => saveButton.textContent(), { timeout: 10_000 }).toBe('Save');
    await page.getByLabel('Pipeline name').fill('Keys, renamed');
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.locator('header.toolbar .message').textContent()).toBe('Saved');
    expect(
      ((await (await fetch(`${base}/api/pipelines/keys`)).json()) as { pipeline: { document: PipelineDocument } }).pipeline.document.name,
    ).toBe('Keys, renamed');

    // ? shows the shortcut sheet; Escape closes it.
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    expect(await sheet.textContent()).toMatch(
      /(?=[\s\S]*Ctrl\+A)(?=[\s\S]*Ctrl\+S)(?=[\s\S]*Ctrl\+Y)(?=[\s\S]*Shift\+click)(?=[\s\S]*Delete)/,
    );
    await page.keyboard.press('Escape');
    await expect.poll(() => sheet.count()).toBe(0);
    await page.close();
  }, 120_000);

  it('the canvas Preview panel opens below the toolbar, never over it (defect 21)', async () => {
    const { base, browser } = suite.get();
    await store(base, { ...SHORT, id: 'previewed', name: 'Previewed' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/p/previewed`);
    await page.getByTestId('node-show').waitFor();
    const preview = page.getByRole('button', { name: 'Preview' });
    await expect.poll(() => preview.isEnabled()).toBe(true);
    await preview.click();
    const panel = page.getByRole('dialog', { name: 'Preview of the draft' });
    await panel.waitFor();
    const toolbar = (await page.locator('header.toolbar').boundingBox())!;
    const box = (await panel.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(toolbar.y + toolbar.height);
    // Every toolbar button can still be clicked: nothing lies on top of it.
    const covered = await page.evaluate(() =>
      Array.from(document.querySelectorAll('header.toolbar button'))
        .filter((b) => {
          const r = b.getBoundingClientRect();
          const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return r.width > 0 && !(top && (b === top || b.contains(top)));
        })
        .map((b) => b.textContent),
    );
    expect(covered).toEqual([]);
    await page.close();
  }, 120_000);
});
