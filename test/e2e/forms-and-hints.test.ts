/**
 * Issue 13, defects 9, 12, 13, 14, 19 and 20: a window's keyBy and aggregate fields are checked
 * against the fields upstream, at the field, with a suggestion; a bad duration shows at its
 * field; a new aggregate row reads sensibly; the default filter fits the default generator; an
 * empty canvas and a palette search without a match say what to do; "New pipeline" asks in the
 * page, and two imports of one document get different names; building a pipeline leaves one
 * draft version, not one per edit (defect 16).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile, connect } from './canvas-session.js';

const suite = canvasSessionForFile();

const problems = (page: Page) =>
  page
    .locator('.problems-area')
    .textContent()
    .then((t) => t ?? '');

describe('forms and hints (Chromium)', () => {
  it('the default filter fits the default generator; window fields are checked at the field; durations too; a new aggregate row reads well', async () => {
    const { base, browser } = suite.get();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/new`);
    // An empty canvas says how to start; a search without a match says so.
    await expect.poll(() => page.getByTestId('canvas-empty').textContent()).toContain('Drag a node from the palette');
    await page.getByLabel('Search nodes').fill('zzzz');
    await expect.poll(async () => page.getByRole('status').filter({ hasText: 'No node type matches' }).count()).toBe(1);
    expect(await page.getByRole('status').filter({ hasText: 'No node type matches' }).textContent()).toContain(
      'No node type matches “zzzz”',
    );
    await page.getByLabel('Search nodes').fill('');

    for (const type of ['source.generator', 'filter', 'window']) await page.getByTestId(`palette-${type}`).click();
    await expect.poll(() => page.getByTestId('canvas-empty').count()).toBe(0);
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.locator('.react-flow__controls-fitview').click();
    await connect(page, 'generator1', 'filter1');
    // The first connection of a new user: the default filter reads the default generator's fields.
    await expect.poll(() => problems(page)).not.toContain('unknown field');
    await connect(page, 'filter1', 'window1');
    await expect.poll(() => problems(page)).toBe('No problems');

    // keyBy "categroy": flagged at the field with the close name, and in the problems list.
    await page.getByTestId('node-window1').click();
    await page.getByLabel('config.keyBy', { exact: true }).fill('categroy');
    await expect
      .poll(() => page.getByTestId('problem-config.keyBy').textContent())
      .toBe('[0]: unknown field "categroy"; did you mean "category"?');
    await expect.poll(() => problems(page)).toContain('did you mean "category"');
    await page.getByLabel('config.keyBy', { exact: true }).fill('category');
    await expect.poll(() => page.getByTestId('problem-config.keyBy').count()).toBe(0);

    // An aggregate's field too.
    await page.getByLabel('config.aggregates[0].op').selectOption('sum');
    await page.getByLabel('config.aggregates[0].field').fill('quantty');
    await expect
      .poll(() => page.getByTestId('problem-config.aggregates[0].field').textContent())
      .toBe('unknown field "quantty"; did you mean "quantity"?');
    await page.getByLabel('config.aggregates[0].field').fill('quantity');

    // A bad duration shows at its field, not only in the list.
    await page.getByLabel('config.size').fill('10 sec');
    await expect.poll(() => page.getByTestId('problem-config.size').textContent()).toMatch(/10 sec/);
    await page.getByLabel('config.size').fill('10s');
    await expect.poll(() => page.getByTestId('problem-config.size').count()).toBe(0);

    // A new aggregate row: what it needs, in words, never "undefined".
    await page.getByRole('button', { name: 'Add', exact: true }).last().click();
    await expect.poll(() => problems(page)).toContain('config.aggregates[1].as');
    const panel = (await page.getByRole('complementary', { name: 'Node window1' }).textContent()) ?? '';
    expect(panel + (await problems(page))).not.toContain('undefined');
    expect(await page.getByTestId('problem-config.aggregates[1].as').textContent()).toBe('missing required field');
    await page.close();
  }, 120_000);

  it('"New pipeline" asks for the name in the page; two imports of one document get different names', async () => {
    const { base, browser } = suite.get();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${base}/#/`);
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.getByLabel('Name of the new pipeline').fill('Asked in the page');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/p\/asked-in-the-page$/);
    expect(dialogs).toBe(0);

    const doc: PipelineDocument = { format: 'sluice/v1', id: 'twice', name: 'Twice', nodes: [], edges: [] };
    await page.goto(`${base}/#/`);
    const input = page.getByTestId('import-file');
    for (let i = 0; i < 2; i++) {
      await input.setInputFiles({ name: 'twice.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
      await page.getByTestId(i === 0 ? 'pipeline-twice' : 'pipeline-twice-2').waitFor();
    }
    const names = await Promise.all(
      ['twice', 'twice-2'].map((id) => page.getByTestId(`pipeline-${id}`).locator('.pipeline-name').textContent()),
    );
    expect(names).toEqual(['Twice', 'Twice (2)']);
    await page.close();
  }, 120_000);

  it('building a 4-node pipeline leaves one draft version; Save makes a version, the next autosave a new draft', async () => {
    const { base, browser } = suite.get();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/new`);
    await page.getByLabel('Pipeline name').fill('Few versions');
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.waitForURL(/#\/p\//);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/p/', ''));
    const versions = async () =>
      ((await (await fetch(`${base}/api/pipelines/${id}/versions`)).json()) as { versions: { action: string }[] }).versions.map(
        (v) => v.action,
      );
    const saved = () => expect.poll(() => page.getByRole('button', { name: /^Save/ }).textContent(), { timeout: 10_000 }).toBe('Save');
    // Each step waits for its autosave: every edit is stored, and none adds a version.
    for (const type of ['source.generator', 'filter', 'window', 'sink.console']) {
      await page.getByTestId(`palette-${type}`).click();
      await saved();
    }
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.locator('.react-flow__controls-fitview').click();
    for (const [a, b] of [
      ['generator1', 'filter1'],
      ['filter1', 'window1'],
      ['window1', 'console1'],
    ] as const) {
      await connect(page, a, b);
      await saved();
    }
    expect(await versions()).toEqual(['create', 'draft']);
    const stored = (await (await fetch(`${base}/api/pipelines/${id}`)).json()) as { pipeline: { document: PipelineDocument } };
    expect(stored.pipeline.document.edges.length).toBe(3);

    await page.keyboard.press('Control+s');
    await expect.poll(versions).toEqual(['create', 'draft', 'save']);
    await page.getByLabel('Pipeline name').fill('Few versions, renamed');
    await saved();
    await expect.poll(versions).toEqual(['create', 'draft', 'save', 'draft']);
    await page.close();
  }, 120_000);
});
