/**
 * Issue 13, defects 3 and 4: the console sink's output and the events sent to error ports (with
 * their `_error`) appear in the editor's debug panel while the pipeline runs, beside the last
 * events into and out of the selected node; the examples `pnpm start` serves run live (an
 * unbounded generator at a modest rate), so their numbers keep moving. Taps are named by the
 * nodes they join, with readable times (defect 17).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile } from './canvas-session.js';

const suite = canvasSessionForFile({ liveExamples: true });
// The fraud example pseudonymizes card ids with a keyed HMAC: `pnpm start` gives it a demo key, as this does.
const FRAUD_KEY = 'SLUICE_SECRET_FRAUD_CARD_KEY';
const keyBefore = process.env[FRAUD_KEY];
beforeAll(() => {
  process.env[FRAUD_KEY] = 'e2e-demo-key-not-secret';
});
afterAll(() => {
  if (keyBefore === undefined) delete process.env[FRAUD_KEY];
  else process.env[FRAUD_KEY] = keyBefore;
});

const DOC: PipelineDocument = {
  format: 'sluice/v1',
  id: 'debugged',
  name: 'Debugged',
  nodes: [
    { id: 'in', type: 'source.http', config: {}, position: { x: 0, y: 0 } },
    { id: 'big', type: 'filter', config: { expression: 'x > 3' }, position: { x: 260, y: 0 } },
    { id: 'shown', type: 'sink.console', label: 'Shown', config: { prefix: 'out: ' }, position: { x: 520, y: 0 } },
    { id: 'errs', type: 'sink.file', config: { path: 'errors.jsonl' }, position: { x: 520, y: 200 } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'big' },
    { id: 'e2', source: 'big', target: 'shown' },
    { id: 'e3', source: 'big', sourcePort: 'error', target: 'errs' },
  ],
};

const text = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .textContent()
    .then(
      (t) => t ?? '',
      () => '',
    );

/** The out count a node shows on the canvas (0 before the first metrics). */
async function outCount(page: Page, nodeId: string): Promise<number> {
  const t = await text(page, `counts-${nodeId}`);
  const m = /out ([\d.]+)(k|M)?/.exec(t);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

describe('debug panel and live examples (Chromium)', () => {
  it('shows console lines and error-port events with their _error while running, and the selected node’s inputs and outputs', async () => {
    const { base, browser } = suite.get();
    expect(
      (await fetch(`${base}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DOC) }))
        .status,
    ).toBe(201);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/debugged`);
    await page.getByTestId('node-big').waitFor();
    await page.getByRole('tab', { name: 'Console' }).click();
    await expect.poll(() => page.getByRole('tabpanel').textContent()).toContain('Deploy the pipeline');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => text(page, 'status'), { timeout: 15_000 }).toBe('running');

    // The tap sees what crosses it once subscribed: post until the panel shows both kinds of line.
    const post = (body: unknown) =>
      fetch(`${base}/api/ingest/debugged/in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await expect
      .poll(
        async () => {
          await post([{ x: 5, ts: 1767225600000 }, { x: 'five' }]);
          return text(page, 'debug-console');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain('out: {"x":5,"ts":"2026-01-01T00:00:00.000Z"}');
    await expect
      .poll(
        async () => {
          await post([{ x: 5 }, { x: 'five' }]);
          return text(page, 'debug-console');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toMatch(/(?=[\s\S]*Shown)(?=[\s\S]*out: \{"x":5)(?=[\s\S]*big \(error\))(?=[\s\S]*cannot compare the string "five")/);
    // The error line carries the event and its _error.
    const errorLine = page.locator('[data-testid="debug-console"] li.error').first();
    expect(await errorLine.textContent()).toMatch(/"x":"five".*"_error"/);

    // The selected node: what went in (both events) and what came out (5 on out, "five" on error).
    await page.getByTestId('node-big').click();
    await page.getByRole('tab', { name: 'Node events' }).click();
    await expect
      .poll(
        async () => {
          await post([{ x: 7 }, { x: 'seven' }]);
          return [await text(page, 'debug-node-in'), await text(page, 'debug-node-out')];
        },
        { timeout: 20_000, interval: 500 },
      )
      .toEqual([
        expect.stringMatching(/(?=[\s\S]*"x":7)(?=[\s\S]*"x":"seven")/),
        expect.stringMatching(/(?=[\s\S]*big → Shown[\s\S]*"x":7)(?=[\s\S]*big \(error\) → errs[\s\S]*"x":"seven")/),
      ]);

    // Stopped: the toolbar no longer says "Deployed", and the canvas and the list say the same (defect 15).
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('header.toolbar .message').textContent()).toBe('Stopped');
    await expect.poll(() => text(page, 'status'), { timeout: 15_000 }).toBe('not running');
    await page.goto(`${base}/#/`);
    await expect.poll(() => page.getByTestId('pipeline-debugged').locator('.status').textContent()).toBe('not running');
    await page.close();
  }, 120_000);

  it('serves the examples live: the generator keeps producing at a modest rate and the run does not end', async () => {
    const { base, browser } = suite.get();
    const stored = (await (await fetch(`${base}/api/pipelines/fraud`)).json()) as { pipeline: { document: PipelineDocument } };
    const gen = stored.pipeline.document.nodes.find((n) => n.type === 'source.generator')!;
    expect(gen.config.count).toBeUndefined();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/fraud`);
    await page.getByTestId('node-transactions').waitFor();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => outCount(page, 'transactions'), { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await outCount(page, 'transactions');
    // Still running while the count keeps going up, and slowly (a benchmark would be at 300k in 2 s).
    await expect.poll(() => outCount(page, 'transactions'), { timeout: 30_000 }).toBeGreaterThan(first + 50);
    expect(await text(page, 'status')).toBe('running');
    expect(await outCount(page, 'transactions')).toBeLessThan(5_000);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => text(page, 'status'), { timeout: 15_000 }).not.toBe('running');
    await page.close();
  }, 120_000);
});
