/**
 * Pinned sample data in the editor (issue 13): on a source that never ran, paste events and pin
 * them (masked as the privacy defaults say, bad input refused with the line), see their fields
 * complete in a downstream expression, and "Run to here" on a node shows what it sends out of
 * each port, without deploying anything.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';
import { apiCall, createShop, SHOP_JSONL, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile();

describe('pinned samples (Chromium)', () => {
  it('pins pasted events on a source, completes their fields downstream, and runs a node to here without deploying', async () => {
    const { base, browser } = suite.get();
    await createShop(base, 'pinned-e2e');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/pinned-e2e`);
    await page.getByTestId('node-in').click();
    await expect.poll(() => textOf(page, 'pinned-summary')).toContain('Nothing pinned');

    // A line that is not JSON: refused, naming the line.
    await page.getByLabel('Events to pin').fill('{"sku": "A", "quantity": 2}\n{"sku":');
    await page.getByRole('button', { name: 'Pin these events' }).click();
    await expect.poll(() => textOf(page, 'pinned-error')).toContain('line 2 is not valid JSON');

    await page.getByLabel('Events to pin').fill(SHOP_JSONL);
    await page.getByRole('button', { name: 'Pin these events' }).click();
    await expect.poll(() => textOf(page, 'pinned-summary')).toContain('4 events pinned');
    // Kept masked: the email's name looks personal (docs/privacy.md).
    const summary = await textOf(page, 'pinned-summary');
    expect(summary).toContain('"customer_email":"***"');
    expect(summary).not.toContain('a@example.com');
    const stored = await apiCall(base, 'GET', '/api/pipelines/pinned-e2e/pinned');
    expect(stored.json.sources.in.count).toBe(4);

    // The file source says nothing of its fields; the pinned events do.
    await page.getByTestId('node-big').click();
    const expr = page.getByLabel('config.expression');
    await expr.fill('');
    await expr.pressSequentially('total >= params.threshold && quan');
    await expect.poll(() => page.getByRole('listbox', { name: 'field completions' }).textContent()).toContain('quantity');
    await page.keyboard.press('Escape');
    await expr.fill('total >= params.threshold');

    // Run to here on the map: 3 totals out (60, 200, 100) and the one it could not compute on the error port.
    await page.getByTestId('node-total').click();
    await page.getByRole('button', { name: 'Run to here' }).click();
    await expect.poll(() => textOf(page, 'run-to-here-out'), { timeout: 20_000 }).toContain('out: 3 events');
    const out = await textOf(page, 'run-to-here-out');
    expect(out).toContain('"sku":"A"');
    expect(out).toContain('"total":60');
    expect(out).toContain('"total":200');
    expect(out).toContain('"total":100');
    expect(await textOf(page, 'run-to-here-error')).toMatch(/error: 1 event[\s\S]*"quantity":"many"[\s\S]*"_error"/);
    expect(await textOf(page, 'run-to-here-result')).toContain('4 pinned events of in');

    // Nothing was deployed.
    expect((await apiCall(base, 'GET', '/api/pipelines/pinned-e2e/status')).json.status).toBe('not-deployed');
    // Unpin: gone from the server too.
    await page.getByTestId('node-in').click();
    await page.getByRole('button', { name: 'Unpin' }).click();
    await expect.poll(() => textOf(page, 'pinned-summary')).toContain('Nothing pinned');
    expect((await apiCall(base, 'GET', '/api/pipelines/pinned-e2e/pinned')).json.sources).toEqual({});
    await page.close();
  }, 120_000);

  it('pins the events a tap shows on an edge out of a source', async () => {
    const { base, browser } = suite.get();
    const doc = {
      format: 'sluice/v1',
      id: 'tap-pin',
      nodes: [
        { id: 'in', type: 'source.http', config: {}, position: { x: 0, y: 0 } },
        { id: 'out', type: 'sink.console', config: { prefix: 'tap-pin: ' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'in', target: 'out' }],
    };
    expect((await apiCall(base, 'POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await apiCall(base, 'POST', '/api/pipelines/tap-pin/deploy')).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/tap-pin`);
    await page.getByTestId('node-in').waitFor();
    await expect.poll(() => textOf(page, 'status'), { timeout: 15_000 }).toBe('running');
    await page.locator('.react-flow__edge').first().click({ force: true });
    // The tap sees what crosses it once subscribed: post until it shows an event.
    await expect
      .poll(
        async () => {
          await apiCall(base, 'POST', '/api/ingest/tap-pin/in', [{ sku: 'T', user_email: 't@example.com' }]);
          return textOf(page, 'tap');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain('"sku":"T"');
    await page.getByRole('button', { name: 'Pin these events' }).click();
    await expect.poll(() => textOf(page, 'tap-pinned')).toMatch(/^\d+ events pinned on in$/);
    const pinned = await apiCall(base, 'GET', '/api/pipelines/tap-pin/pinned');
    expect(pinned.json.sources.in.count).toBeGreaterThan(0);
    // Masked as the tap showed them: the email never reaches the stored sample.
    expect(pinned.json.sources.in.events[0]).toEqual({ sku: 'T', user_email: '***' });
    expect((await apiCall(base, 'POST', '/api/pipelines/tap-pin/stop')).status).toBe(200);
    await page.close();
  }, 120_000);
});
