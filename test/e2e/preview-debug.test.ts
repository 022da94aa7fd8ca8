/**
 * The debug panel on a preview run (issue 13): a pipeline that never ran, with events pinned on
 * its source, "Run on samples" in the debug panel shows what the console sinks would print, the
 * event sent to the error port with its `_error`, and the selected node's last inputs and
 * outputs, as taps show them on a live run; nothing is deployed.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';
import { apiCall, createShop, SHOP_JSONL, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile();

describe('debug panel on a preview run (Chromium)', () => {
  it('shows console lines, error-port events with _error and a node’s inputs and outputs from a preview run', async () => {
    const { base, browser } = suite.get();
    await createShop(base, 'preview-debug');
    expect((await apiCall(base, 'PUT', '/api/pipelines/preview-debug/pinned/in', { jsonl: SHOP_JSONL })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/preview-debug`);
    await page.getByTestId('node-big').waitFor();
    await page.getByRole('tab', { name: 'Console' }).click();
    await expect.poll(() => page.getByRole('tabpanel').textContent()).toContain('Run on samples');
    await page.getByRole('button', { name: 'Run on samples' }).click();

    // Two big orders printed by "Shown", the one the map could not compute by "Errors", with its _error.
    await expect.poll(() => textOf(page, 'debug-console'), { timeout: 20_000 }).toContain('big: {"sku":"B"');
    const console = await textOf(page, 'debug-console');
    expect(console).toContain('big: {"sku":"D"');
    expect(console).not.toContain('"sku":"A"');
    expect(console).toContain('cannot compute the string "many" * the number 10');
    const errorLine = page.locator('[data-testid="debug-console"] li.error').first();
    expect(await errorLine.textContent()).toMatch(/err: \{"sku":"C","quantity":"many".*"_error"/);
    expect(await textOf(page, 'debug-preview-note')).toContain('in: 4 pinned events');

    // The filter: three totals in (60, 200, 100), two out.
    await page.getByTestId('node-big').click();
    await page.getByRole('tab', { name: 'Node events' }).click();
    await expect.poll(() => textOf(page, 'debug-node-in')).toContain('"total":60');
    const into = await textOf(page, 'debug-node-in');
    expect(into).toContain('"total":200');
    expect(into).toContain('"total":100');
    const out = await textOf(page, 'debug-node-out');
    expect(out).toMatch(/Big → Shown/);
    expect(out).toContain('"total":200');
    expect(out).not.toContain('"total":60');
    expect(await page.locator('[data-testid="debug-node-out"] li').count()).toBe(2);

    expect((await apiCall(base, 'GET', '/api/pipelines/preview-debug/status')).json.status).toBe('not-deployed');
    await page.close();
  }, 120_000);
});
