/**
 * Issue 13, "navigation and commands": a right-click menu (role="menu") on nodes, edges and the
 * canvas, opened by the mouse or by Shift+F10 / the ContextMenu key, walked with the arrows,
 * closed with Escape (the focus goes back). Each item's action is checked on the canvas.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, connect, drawn } from './canvas-session.js';

const suite = canvasSessionForFile();

const menu = (page: Page) => page.getByRole('menu');
const items = (page: Page) => menu(page).getByRole('menuitem').allTextContents();
const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? document.activeElement?.tagName ?? '');

async function newPipeline(page: Page): Promise<void> {
  await page.goto(`${suite.get().base}/#/new`);
  for (const type of ['source.generator', 'filter', 'sink.console']) await page.getByTestId(`palette-${type}`).click();
  for (const id of ['generator1', 'filter1', 'console1']) await page.getByTestId(`node-${id}`).waitFor();
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.locator('.react-flow__controls-fitview').click();
  await connect(page, 'generator1', 'filter1');
  await connect(page, 'filter1', 'console1');
  await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1', 'e2']);
}

describe('right-click menus (Chromium)', () => {
  it('on a node: open config, duplicate, disconnect, add to a group, delete', async () => {
    const page = await suite.get().browser.newPage({ viewport: { width: 1440, height: 900 } });
    await newPipeline(page);
    await page.getByTestId('node-filter1').click({ button: 'right' });
    expect(await menu(page).getAttribute('aria-label')).toBe('Node Filter (filter1)');
    expect(await items(page)).toEqual(['Open config', 'Duplicate', 'Disconnect', 'Delete', 'Add to new group']);
    // The first item has the focus; the arrows move it (wrapping), Escape closes.
    await expect.poll(() => focused(page)).toBe('Open config');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => focused(page)).toBe('Add to new group');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focused(page)).toBe('Duplicate');
    await page.keyboard.press('Escape');
    await expect.poll(() => menu(page).count()).toBe(0);

    await page.getByTestId('node-filter1').click({ button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Open config' }).click();
    await page.getByLabel('config.expression').waitFor();

    await page.getByTestId('node-filter1').click({ button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Duplicate' }).click();
    await expect.poll(() => drawn(page).then((d) => d.nodes)).toEqual(['console1', 'filter1', 'filter1_copy', 'generator1']);
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page).then((d) => d.nodes)).toEqual(['console1', 'filter1', 'generator1']);

    await page.getByTestId('node-filter1').click({ button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Disconnect' }).click();
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual([]);
    // One step brings both edges back.
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1', 'e2']);

    await page.getByTestId('node-console1').click({ button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Add to new group' }).click();
    await page.getByTestId('group-group1').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('node-filter1').click({ button: 'right' });
    expect(await items(page)).toContain('Add to group "Group 1"');
    await menu(page).getByRole('menuitem', { name: 'Add to group "Group 1"' }).click();
    await expect.poll(() => page.locator('[data-id="group:group1"]').getAttribute('aria-label')).toBe('Group Group 1: 2 nodes');

    await page.getByTestId('node-filter1').click({ button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Delete' }).click();
    await expect.poll(() => drawn(page)).toEqual({ nodes: ['console1', 'generator1', 'group:group1'], edges: [] });
    await expect.poll(() => page.locator('[data-id="group:group1"]').getAttribute('aria-label')).toBe('Group Group 1: 1 node');
    await page.close();
  }, 120_000);

  it('on an edge and on the canvas; by keyboard (Shift+F10, ContextMenu) with the focus given back on Escape', async () => {
    const page = await suite.get().browser.newPage({ viewport: { width: 1440, height: 900 } });
    await newPipeline(page);

    // An edge: its menu names both ends; Delete edge removes it.
    const edge = page.locator('.react-flow__edge[data-id="e2"] path').first();
    const box = (await edge.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
    expect(await menu(page).getAttribute('aria-label')).toBe('Edge Filter (filter1) out to Console (console1) in');
    expect(await items(page)).toEqual(['Tap this edge', 'Add breakpoint', 'Add breakpoint with condition…', 'Delete edge']);
    // Tapping needs a running pipeline: said, not silently ignored.
    await menu(page).getByRole('menuitem', { name: 'Tap this edge' }).click();
    await expect.poll(() => page.locator('.toolbar .message').textContent()).toBe('Deploy the pipeline to watch the events on this edge');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
    await menu(page).getByRole('menuitem', { name: 'Delete edge' }).click();
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1']);

    // The canvas: add a note, add a node by search, select all, paste, layout.
    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 200, y: 700 } });
    expect(await items(page)).toEqual(['Add node here…', 'Add note here', 'Paste', 'Select all', 'Layout']);
    expect(await menu(page).getByRole('menuitem', { name: 'Paste' }).isDisabled()).toBe(true);
    await menu(page).getByRole('menuitem', { name: 'Add note here' }).click();
    await page.getByTestId('note-note1').waitFor();
    await page.keyboard.type('here');
    await page.keyboard.press('Escape');

    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 700, y: 650 } });
    await menu(page).getByRole('menuitem', { name: 'Add node here…' }).click();
    const search = page.getByLabel('Add node here: search node types');
    await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('window');
    await page.keyboard.press('Enter');
    await page.getByTestId('node-window1').waitFor();
    // Added where the menu was opened: its top-left corner at the point clicked.
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    const added = (await page.getByTestId('node-window1').boundingBox())!;
    expect(Math.abs(added.x - (canvasBox.x + 700))).toBeLessThan(12);
    expect(Math.abs(added.y - (canvasBox.y + 650))).toBeLessThan(12);

    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 200, y: 120 } });
    await menu(page).getByRole('menuitem', { name: 'Select all' }).click();
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(4);
    await page.keyboard.press('Control+c');
    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 200, y: 120 } });
    expect(await items(page)).toContain('Group 4 selected nodes');
    await menu(page).getByRole('menuitem', { name: 'Paste' }).click();
    await expect
      .poll(() => drawn(page).then((d) => d.nodes.filter((n) => n.endsWith('_copy'))))
      .toEqual(['console1_copy', 'filter1_copy', 'generator1_copy', 'window1_copy']);
    await page.keyboard.press('Control+z');
    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 200, y: 120 } });
    await menu(page).getByRole('menuitem', { name: 'Layout' }).click();
    // Layout puts the chain in columns left to right.
    await expect
      .poll(async () => {
        const x = async (id: string) => (await page.getByTestId(`node-${id}`).boundingBox())!.x;
        return (await x('generator1')) < (await x('filter1'));
      })
      .toBe(true);

    // By keyboard: Tab to a node, Shift+F10 opens its menu; Escape closes it and the node has the focus again.
    await page.locator('[data-id="generator1"]').focus();
    await page.keyboard.press('Shift+F10');
    expect(await menu(page).getAttribute('aria-label')).toBe('Node Generator (generator1)');
    await expect.poll(() => focused(page)).toBe('Open config');
    await page.keyboard.press('Escape');
    await expect.poll(() => menu(page).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe('generator1');
    // The ContextMenu key does the same; Enter runs the focused item.
    await page.keyboard.press('ContextMenu');
    await expect.poll(() => focused(page)).toBe('Open config');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => drawn(page).then((d) => d.nodes)).toContain('generator1_copy');
    // On the canvas itself (focused, nothing in it focused): the canvas menu.
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Shift+F10');
    expect(await menu(page).getAttribute('aria-label')).toBe('Canvas');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('canvas');
    await page.close();
  }, 120_000);
});
