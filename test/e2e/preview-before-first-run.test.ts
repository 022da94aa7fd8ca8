/**
 * Issue 13, defect 11: a business user previews a change before the pipeline's first live run.
 * The dynamic-pricing example, as `pnpm start` serves it and never deployed, has recorded and
 * pinned nothing; Preview on its business page runs on its generator's own first events, and
 * nothing is deployed.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';
import { apiCall, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile({ liveExamples: true });

describe('preview before the first live run (Chromium)', () => {
  it("previews the never-deployed pricing example on its generator's events, without deploying it", async () => {
    const { base, browser } = suite.get();
    expect((await apiCall(base, 'GET', '/api/pipelines/dynamic-pricing/status')).json.status).toBe('not-deployed');
    expect((await apiCall(base, 'GET', '/api/pipelines/dynamic-pricing/recording')).json.events).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/dynamic-pricing/business`);
    await page.getByTestId('business-page').waitFor();
    await page.getByRole('toolbar', { name: 'Draft' }).getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => textOf(page, 'preview-summary'), { timeout: 30_000 }).toMatch(/Ran on 200 sample events \(.*: 200 generated\)/);
    expect(await textOf(page, 'preview-summary')).toContain('nothing is deployed now');
    expect((await apiCall(base, 'GET', '/api/pipelines/dynamic-pricing/status')).json.status).toBe('not-deployed');
    await page.close();
  }, 120_000);
});
