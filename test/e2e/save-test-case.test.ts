/**
 * "Save as test case" (issue 15, section 1) and a business user's preview before the first live
 * run (issue 13, defect 11), in Chromium. On the business page of a pipeline that never ran,
 * Preview runs on the pinned sample (nothing is deployed), "Save as test case" keeps it with what
 * the saved version sends; raising the threshold then fails that case, so the deploy is refused
 * with the diff (settings.requireTestsOnDeploy). In the editor, the canvas Preview saves a case too.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';
import { apiCall, createShop, SHOP_JSONL, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile();

describe('save as test case (Chromium)', () => {
  it('business page: preview before the first run on pinned events, save a case, and a change that breaks it is refused with the diff', async () => {
    const { base, browser } = suite.get();
    await createShop(base, 'cases-biz', 100, { requireTestsOnDeploy: true });
    expect((await apiCall(base, 'PUT', '/api/pipelines/cases-biz/pinned/in', { jsonl: SHOP_JSONL })).status).toBe(200);
    // The file a deploy would read, so only the test cases stand between the change and a deploy.
    const put = await fetch(`${base}/api/files/orders.jsonl`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: `${SHOP_JSONL}\n`,
    });
    expect(put.status).toBeLessThan(300);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/cases-biz/business`);
    await page.getByTestId('business-page').waitFor();

    await page.getByRole('toolbar', { name: 'Draft' }).getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => textOf(page, 'preview-summary'), { timeout: 20_000 }).toContain('Ran on 4 sample events (Orders: 4 pinned)');
    expect(await textOf(page, 'preview-summary')).toContain('nothing is deployed now');
    expect((await apiCall(base, 'GET', '/api/pipelines/cases-biz/status')).json.status).toBe('not-deployed');

    await page.getByRole('button', { name: 'Save as test case' }).click();
    await page.getByLabel('Test case name').fill('big-orders');
    await page.getByLabel('Test case description').fill('B and D are big at 100');
    await page.getByRole('button', { name: 'Save test case' }).click();
    await expect
      .poll(() => textOf(page, 'save-case-said'), { timeout: 20_000 })
      .toBe('Test case "big-orders" saved: inputs in: 4; expected shown: 2, errs: 1.');
    const cases = await apiCall(base, 'GET', '/api/pipelines/cases-biz/tests');
    expect(cases.json).toEqual({
      required: true,
      cases: [{ name: 'big-orders', description: 'B and D are big at 100', inputs: { in: 4 }, expected: { shown: 2, errs: 1 } }],
    });

    // 150: D (100) is no longer big; the case expected it, so the deploy is refused with the diff.
    await page.getByLabel('Smallest big order').fill('150');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => textOf(page, 'biz-errors'), { timeout: 30_000 }).toContain('deploy refused: 1 of 1 test case does not pass');
    const errors = await textOf(page, 'biz-errors');
    expect(errors).toContain('big-orders');
    expect(errors).toMatch(/missing: expected \{"sku":"D"/);
    expect((await apiCall(base, 'GET', '/api/pipelines/cases-biz/status')).json.status).toBe('not-deployed');
    await page.close();
  }, 120_000);

  it('editor: the canvas Preview saves a case from the events it ran on', async () => {
    const { base, browser } = suite.get();
    await createShop(base, 'cases-editor');
    expect((await apiCall(base, 'PUT', '/api/pipelines/cases-editor/pinned/in', { jsonl: SHOP_JSONL })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/cases-editor`);
    await page.getByTestId('node-big').waitFor();
    await page.locator('header.toolbar').getByRole('button', { name: 'Preview', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Preview of the draft' });
    await expect.poll(() => dialog.getByTestId('preview-summary').textContent(), { timeout: 20_000 }).toContain('4 pinned');
    await dialog.getByRole('button', { name: 'Save as test case' }).click();
    await dialog.getByLabel('Test case name').fill('from-canvas');
    await dialog.getByRole('button', { name: 'Save test case' }).click();
    await expect
      .poll(() => dialog.getByTestId('save-case-said').textContent(), { timeout: 20_000 })
      .toBe('Test case "from-canvas" saved: inputs in: 4; expected shown: 2, errs: 1.');
    // A second case of that name is refused, and said.
    await dialog.getByRole('button', { name: 'Save as test case' }).click();
    await dialog.getByLabel('Test case name').fill('from-canvas');
    await dialog.getByRole('button', { name: 'Save test case' }).click();
    await expect.poll(() => dialog.getByTestId('save-case-said').textContent()).toContain('has a test case "from-canvas" already');
    const run = await apiCall(base, 'POST', '/api/pipelines/cases-editor/tests/run', {});
    expect(run.json.passed).toBe(true);
    await page.close();
  }, 120_000);
});
