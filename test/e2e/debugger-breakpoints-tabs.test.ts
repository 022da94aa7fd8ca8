/**
 * Breakpoints follow between two tabs of one browser (docs/debugger.md, "Where breakpoints
 * live"): two pages of one Chromium context show the same pipeline; a breakpoint set in one
 * appears in the other without a reload (the `storage` event), each way.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, drawn } from './canvas-session.js';
import { addBreakpoint, DEBUGGER_DOC, DEBUGGER_EVENTS } from './debugger-sample.js';
import { apiCall } from './sample-pipeline.js';

const suite = canvasSessionForFile();
const CONDITION = 'sku == "A" && quantity > 3';

describe('breakpoints across two tabs (Chromium)', () => {
  it('a breakpoint set in one tab shows in the other, each way', async () => {
    const { base, browser } = suite.get();
    const doc = { ...DEBUGGER_DOC, id: 'bp-tabs', name: 'Breakpoints tabs' };
    expect((await apiCall(base, 'POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await apiCall(base, 'PUT', '/api/pipelines/bp-tabs/pinned/in', { events: DEBUGGER_EVENTS })).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const [one, two] = [await context.newPage(), await context.newPage()];
      for (const page of [one, two]) {
        await page.goto(`${base}/#/p/bp-tabs`);
        await expect.poll(() => drawn(page).then((d) => d.edges), { timeout: 30_000 }).toEqual(['e1', 'e2']);
      }
      await addBreakpoint(one, 'e1', CONDITION);
      await expect
        .poll(
          () =>
            two
              .getByTestId('edge-debug-e1')
              .getAttribute('aria-label')
              .catch(() => null),
          { timeout: 15_000 },
        )
        .toBe(`Breakpoint on edge e1 when ${CONDITION}`);
      await addBreakpoint(two, 'e2');
      await expect
        .poll(
          () =>
            one
              .getByTestId('edge-debug-e2')
              .getAttribute('aria-label')
              .catch(() => null),
          { timeout: 15_000 },
        )
        .toBe('Breakpoint on edge e2');
    } finally {
      await context.close();
    }
  }, 240_000);
});
