/**
 * Issue 13, defect 23: the business page speaks to business users (labels without the internal
 * names beside them, "condition"/"result" and "custom condition"/"calculated" instead of
 * IF/THEN and expr/formula), the history counts rows from 1 as the page does, and the audit line
 * of a changed condition keeps its operator.
 */
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { canvasSessionForFile } from './canvas-session.js';

const suite = canvasSessionForFile();

describe('business wording (Chromium)', () => {
  it('labels and words a business user reads; rows from 1 in the history; the operator in the audit line', async () => {
    const { base, browser } = suite.get();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/dynamic-pricing/business`);
    await page.getByTestId('param-surge_threshold').waitFor();
    expect(await page.getByTestId('param-surge_threshold').locator('td').first().textContent()).not.toContain('surge_threshold');
    expect(await page.getByTestId('param-surge_threshold').textContent()).toContain('Orders per 5 min that count as a surge');
    const kinds = await page.locator('.biz-col-kind').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['condition', 'result']));
    const options = (await page.locator('.biz-table select option').allTextContents()).join('|');
    expect(options).toContain('custom condition');
    expect(options).toContain('calculated');
    expect(options).not.toMatch(/\b(expr|formula)\b/);

    // Row 1's demand condition "> 1000" becomes ">= 40", saved as a version.
    const r = (await (await fetch(`${base}/api/pipelines/dynamic-pricing`)).json()) as { pipeline: { document: PipelineDocument } };
    const doc = structuredClone(r.pipeline.document);
    const rows = (doc.nodes.find((n) => n.id === 'pricing')!.config as { rows: { when: Record<string, unknown> }[] }).rows;
    rows[0]!.when.demand = { op: '>=', value: 40 };
    expect(
      (
        await fetch(`${base}/api/pipelines/dynamic-pricing`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        })
      ).status,
    ).toBe(200);

    const audit = (await (await fetch(`${base}/api/pipelines/dynamic-pricing/audit`)).json()) as { entries: { summary?: string[] }[] };
    expect(audit.entries.flatMap((e) => e.summary ?? [])).toContain('Pricing table (pricing): row 1 when demand > 1000 -> demand >= 40');

    await page.goto(`${base}/#/p/dynamic-pricing/history`);
    const versions = page.locator('[data-testid="versions"] input[type=checkbox]');
    await expect.poll(() => versions.count()).toBeGreaterThanOrEqual(2);
    await versions.nth(0).check();
    await versions.nth(1).check();
    const nodes = page.getByTestId('diff-nodes');
    await nodes.waitFor();
    const text = (await nodes.textContent()) ?? '';
    expect(text).toContain('row 1');
    expect(text).not.toContain('rows[0]');
    expect((await page.getByTestId('diff-summary').textContent()) ?? '').toContain('row 1 when demand > 1000 -> demand >= 40');
    await page.close();
  }, 120_000);
});
