/**
 * Issue 13, "sticky notes and groups": a note is added (N), written in place, resized from its
 * corner and coloured; a group is made from a selection (Ctrl+G), labelled in place, drawn as a
 * frame behind its nodes, and dragging the frame moves its nodes; ungroup keeps the nodes. Each
 * is one undo step, and all of it is stored and exported with the document.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile, connect, drawn, selectTwo, storedDocument } from './canvas-session.js';

const suite = canvasSessionForFile();

async function saved(page: Page): Promise<void> {
  await expect.poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '', { timeout: 15_000 }).toBe('Save');
}

/** The stored document once the autosave has brought it to `ready` (an action's effect), not before. */
async function storedWhen(base: string, id: string, ready: (d: PipelineDocument) => boolean): Promise<PipelineDocument> {
  await expect.poll(async () => ready(await storedDocument(base, id)), { timeout: 20_000 }).toBe(true);
  return storedDocument(base, id);
}

/** The canvas zoom (React Flow's viewport scale): screen px per canvas px. */
async function zoom(page: Page): Promise<number> {
  return page.evaluate(() => new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a);
}

/** A drag that moves what it holds by `by` screen px: React Flow starts a drag at the first move and counts from there. */
async function drag(page: Page, from: { x: number; y: number }, by: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 2, from.y);
  await page.mouse.move(from.x + 2 + by.x, from.y + by.y, { steps: 8 });
  await page.mouse.up();
}

describe('sticky notes and groups (Chromium)', () => {
  it('adds, writes, resizes and colours a note; groups, labels, moves and ungroups nodes; one undo step each; stored and exported', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/new`);
    await page.getByLabel('Pipeline name').fill('Notes and groups');
    for (const type of ['source.generator', 'filter', 'sink.console']) await page.getByTestId(`palette-${type}`).click();
    for (const id of ['generator1', 'filter1', 'console1']) await page.getByTestId(`node-${id}`).waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.locator('.react-flow__controls-fitview').click();
    await connect(page, 'generator1', 'filter1');
    await connect(page, 'filter1', 'console1');
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1', 'e2']);
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.waitForURL(/#\/p\//);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/p/', ''));
    await saved(page);

    // A note: N adds one in the middle of the view with its text field focused; Escape keeps the text.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    const text = page.getByTestId('note-note1').getByLabel('Note text');
    await expect.poll(() => text.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Orders only\n<b>plain text</b>');
    await page.keyboard.press('Escape');
    let stored = await storedWhen(session.base, id, (d) => d.notes?.[0]?.text === 'Orders only\n<b>plain text</b>');
    expect(stored.notes).toEqual([
      expect.objectContaining({ id: 'note1', text: 'Orders only\n<b>plain text</b>', size: { width: 200, height: 120 }, color: 'yellow' }),
    ]);
    // Shown as written: no element made from the text.
    expect(await page.getByTestId('note-note1').locator('b').count()).toBe(0);

    // Moved by its grip, out of the nodes' way.
    const z = await zoom(page);
    const placed = stored.notes![0]!.position;
    const grip = (await page.getByTestId('note-note1').locator('.note-grip').boundingBox())!;
    await drag(page, { x: grip.x + 20, y: grip.y + grip.height / 2 }, { x: 0, y: 260 });
    stored = await storedWhen(session.base, id, (d) => d.notes![0]!.position.y !== placed.y);
    expect(stored.notes![0]!.position.x).toBeCloseTo(placed.x, 0);
    expect(stored.notes![0]!.position.y - placed.y).toBeCloseTo(260 / z, 0);

    // Resize from the corner: the size grows by the drag divided by the zoom.
    const corner = (await page.getByTestId('note-resize-note1').boundingBox())!;
    await drag(page, { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 }, { x: 60, y: 40 });
    const grown = { width: Math.round(200 + 60 / z), height: Math.round(120 + 40 / z) };
    await expect
      .poll(async () => (await page.getByTestId('note-note1').boundingBox())!.width, { timeout: 10_000 })
      .toBeCloseTo(grown.width * z, -1);
    stored = await storedWhen(session.base, id, (d) => d.notes![0]!.size!.width !== 200);
    expect(Math.abs(stored.notes![0]!.size!.width - grown.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(stored.notes![0]!.size!.height - grown.height)).toBeLessThanOrEqual(2);

    // Colour: select the note by its grip, pick teal in its toolbar.
    await page.getByTestId('note-note1').locator('.note-grip').click();
    await page.getByRole('button', { name: 'Colour teal' }).first().click();
    await storedWhen(session.base, id, (d) => d.notes![0]!.color === 'teal');

    // A group of the filter and the console: Ctrl+G, the label field takes the focus.
    await selectTwo(page, 'filter1', 'console1');
    await page.keyboard.press('Control+g');
    const label = page.getByTestId('group-group1').getByLabel('Group label');
    await expect.poll(() => label.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Output side');
    await page.keyboard.press('Enter');
    stored = await storedWhen(session.base, id, (d) => d.groups?.[0]?.label === 'Output side');
    expect(stored.groups).toEqual([{ id: 'group1', label: 'Output side', color: 'blue', nodes: ['filter1', 'console1'] }]);

    // The frame is drawn around (and behind) both nodes.
    const frame = (await page.getByTestId('group-group1').boundingBox())!;
    for (const n of ['filter1', 'console1']) {
      const b = (await page.getByTestId(`node-${n}`).boundingBox())!;
      expect(b.x > frame.x && b.y > frame.y && b.x + b.width < frame.x + frame.width && b.y + b.height < frame.y + frame.height).toBe(true);
    }
    // A click on a node inside the frame reaches the node, not the frame.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(0);
    await page.getByTestId('node-filter1').click();
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
    await expect.poll(() => page.getByTestId('node-filter1').getAttribute('class')).toContain('selected');

    // Drag the frame by its empty right end: both members move as far (in canvas px), the generator stays.
    const before = Object.fromEntries(stored.nodes.map((n) => [n.id, n.position!]));
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await drag(page, { x: frame.x + frame.width - 8, y: frame.y + 12 }, { x: 120, y: 80 });
    stored = await storedWhen(session.base, id, (d) => d.nodes.find((n) => n.id === 'console1')!.position!.x !== before.console1!.x);
    const after = Object.fromEntries(stored.nodes.map((n) => [n.id, n.position!]));
    const zz = await zoom(page);
    for (const n of ['filter1', 'console1']) {
      expect(after[n]!.x - before[n]!.x).toBeCloseTo(120 / zz, 0);
      expect(after[n]!.y - before[n]!.y).toBeCloseTo(80 / zz, 0);
    }
    expect(after.generator1).toEqual(before.generator1);

    // One Ctrl+Z undoes the whole move; the next the label; the next the group.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    stored = await storedWhen(
      session.base,
      id,
      (d) => JSON.stringify(Object.fromEntries(d.nodes.map((n) => [n.id, n.position]))) === JSON.stringify(before),
    );
    await page.keyboard.press('Control+z');
    await expect.poll(() => label.inputValue()).toBe('Group 1');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('group-group1').count()).toBe(0);
    await page.keyboard.press('Control+y');
    await page.keyboard.press('Control+y');
    await expect.poll(() => page.getByTestId('group-group1').getByLabel('Group label').inputValue()).toBe('Output side');

    // Ungroup from the frame's toolbar: the frame goes, the nodes stay.
    const f2 = (await page.getByTestId('group-group1').boundingBox())!;
    await page.mouse.click(f2.x + f2.width - 8, f2.y + 12);
    // Selected, the frame stays behind its nodes: the middle of a member is the member's.
    const member = (await page.getByTestId('node-console1').boundingBox())!;
    expect(
      await page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest('.react-flow__node')?.getAttribute('data-id'),
        [member.x + member.width / 2, member.y + member.height / 2],
      ),
    ).toBe('console1');
    await page.getByRole('button', { name: 'Ungroup' }).click();
    await expect.poll(() => page.getByTestId('group-group1').count()).toBe(0);
    expect((await drawn(page)).nodes).toEqual(['console1', 'filter1', 'generator1', 'note:note1']);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('group-group1').count()).toBe(1);

    // Export keeps the note and the group as stored.
    await storedWhen(session.base, id, (d) => d.groups?.length === 1);
    await saved(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const exported = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as PipelineDocument;
    stored = await storedDocument(session.base, id);
    expect(exported.notes).toEqual(stored.notes);
    expect(exported.groups).toEqual([{ id: 'group1', label: 'Output side', color: 'blue', nodes: ['filter1', 'console1'] }]);

    // Imported into a new pipeline, the note and the frame are drawn again.
    await page.goto(`${session.base}/#/new`);
    await page.getByTestId('canvas').waitFor();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'annotated.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    await page.getByTestId('group-group1').waitFor();
    await expect.poll(() => page.getByTestId('note-note1').getByLabel('Note text').inputValue()).toBe('Orders only\n<b>plain text</b>');
    await page.close();
  }, 180_000);
});
