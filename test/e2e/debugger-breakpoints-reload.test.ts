/**
 * Breakpoints kept across a reload (docs/debugger.md, "Where breakpoints live"): set on two edges
 * from the menu, they are back after a reload, in this browser's localStorage and not in the
 * pipeline's document; once an edge is gone from the stored document its breakpoint is dropped
 * without a word, and the one kept still hits in a debug session.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, drawn, storedDocument } from './canvas-session.js';
import { addBreakpoint, DEBUGGER_DOC, DEBUGGER_EVENTS, debugToFirstHit } from './debugger-sample.js';
import { apiCall, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile();
const CONDITION = 'sku == "A" && quantity > 3';

describe('breakpoints across a reload (Chromium)', () => {
  it('keeps them per pipeline in the browser, drops the one whose edge is gone, and hits the other', async () => {
    const { base, browser } = suite.get();
    const doc = { ...DEBUGGER_DOC, id: 'bp-reload', name: 'Breakpoints reload' };
    expect((await apiCall(base, 'POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await apiCall(base, 'PUT', '/api/pipelines/bp-reload/pinned/in', { events: DEBUGGER_EVENTS })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const stored = () =>
      page.evaluate(() =>
        Object.fromEntries(
          Object.keys(localStorage)
            .filter((k) => k.startsWith('sluice.breakpoints:'))
            .map((k) => [k.slice(k.lastIndexOf(':') + 1), JSON.parse(localStorage.getItem(k)!)]),
        ),
      );
    await page.goto(`${base}/#/p/bp-reload`);
    await expect.poll(() => drawn(page).then((d) => d.edges), { timeout: 30_000 }).toEqual(['e1', 'e2']);
    await addBreakpoint(page, 'e1', CONDITION);
    await addBreakpoint(page, 'e2');
    expect(await stored()).toEqual({ 'bp-reload': { e1: CONDITION, e2: '' } });

    // After a reload: both markers, as set.
    await page.reload();
    await expect.poll(() => drawn(page).then((d) => d.edges), { timeout: 30_000 }).toEqual(['e1', 'e2']);
    await expect
      .poll(() => page.getByTestId('edge-debug-e1').getAttribute('aria-label'), { timeout: 15_000 })
      .toBe(`Breakpoint on edge e1 when ${CONDITION}`);
    expect(await page.getByTestId('edge-debug-e2').getAttribute('aria-label')).toBe('Breakpoint on edge e2');
    // Not in the shared document.
    expect(JSON.stringify(await storedDocument(base, 'bp-reload'))).not.toContain('quantity > 3');

    // Someone replaces the edge e2 by e3 (same nodes): its breakpoint goes, quietly.
    const edges = [DEBUGGER_DOC.edges[0]!, { id: 'e3', source: 'w', target: 'out' }];
    expect((await apiCall(base, 'PUT', '/api/pipelines/bp-reload', { ...doc, edges })).status).toBe(200);
    await page.reload();
    await expect.poll(() => drawn(page).then((d) => d.edges), { timeout: 30_000 }).toEqual(['e1', 'e3']);
    await expect
      .poll(() => page.getByTestId('edge-debug-e1').getAttribute('aria-label'), { timeout: 15_000 })
      .toBe(`Breakpoint on edge e1 when ${CONDITION}`);
    await expect.poll(() => stored(), { timeout: 15_000 }).toEqual({ 'bp-reload': { e1: CONDITION } });
    expect(await page.getByTestId('edge-debug-e3').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);

    // The kept breakpoint hits: the first A with more than 3 units is A x4 at 30 s.
    await debugToFirstHit(page, 'e1');
    expect(JSON.parse(await textOf(page, 'debugger-event'))).toEqual({ sku: 'A', quantity: 4, ts: 30_000 });
    await page.getByRole('button', { name: 'Stop debugging' }).click();
    await page.getByTestId('debugger-panel').waitFor({ state: 'detached' });
    await page.close();
  }, 240_000);
});
