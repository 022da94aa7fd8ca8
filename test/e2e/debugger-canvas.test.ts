/**
 * The stream debugger on the canvas (issue 15, docs/debugger.md): a breakpoint with a condition
 * set from an edge's right-click menu, a debug session on the pinned samples, run to the hit, the
 * paused edge highlighted, and the window's open pane read in the side panel (hand-computed).
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, drawn } from './canvas-session.js';
import { DEBUGGER_DOC as DOC, DEBUGGER_EVENTS as EVENTS, addBreakpoint, debugToFirstHit } from './debugger-sample.js';
import { apiCall, textOf } from './sample-pipeline.js';

const suite = canvasSessionForFile();

describe('stream debugger on the canvas (Chromium)', () => {
  it('sets a breakpoint with a condition, runs to the hit and reads the window pane of the key', async () => {
    const { base, browser } = suite.get();
    expect((await apiCall(base, 'POST', '/api/pipelines', DOC)).status).toBe(201);
    expect((await apiCall(base, 'PUT', '/api/pipelines/debugger-e2e/pinned/in', { events: EVENTS })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/#/p/debugger-e2e`);
    await expect.poll(() => drawn(page).then((d) => d.edges), { timeout: 30_000 }).toEqual(['e1', 'e2']);

    // The breakpoint, from the edge's menu, with a condition typed in.
    await addBreakpoint(page, 'e1', 'sku == "A" && quantity > 3');

    // A session on the pinned samples (ready on 6 events), run to the first hit: A x4 at 30 s.
    // A's pane [0, 60 s) holds A x2 and A x3 (B is another key): 2 orders, 5 units. The
    // watermark is the last event's time taken, 20 s.
    await debugToFirstHit(page, 'e1');
    expect(JSON.parse(await textOf(page, 'debugger-event'))).toEqual({ sku: 'A', quantity: 4, ts: 30_000 });
    expect(await textOf(page, 'debugger-event-time')).toBe('Event time: 1970-01-01 00:00:30.000 UTC');
    const watermarks = await page.getByTestId('debugger-watermarks').locator('tbody tr').allTextContents();
    expect(watermarks.length).toBeGreaterThan(0);
    for (const row of watermarks) expect(row).toContain('1970-01-01 00:00:20.000 UTC');
    const panes = page.getByTestId('debugger-panes').locator('tbody tr');
    expect(await panes.count()).toBe(1);
    expect(await panes.first().locator('td').allTextContents()).toEqual([
      '1970-01-01 00:00:00.000 UTC',
      '1970-01-01 00:01:00.000 UTC',
      '2',
      '2',
      '5',
    ]);
    // The paused edge is drawn as such.
    expect(await page.getByTestId('edge-debug-e1').getAttribute('aria-label')).toContain('paused on edge e1');

    // The second hit, A x6 at 62 s: the first minute has closed; A's pane [60 s, 120 s) holds A x1.
    await page.getByRole('button', { name: 'Run to next hit' }).click();
    await expect.poll(() => textOf(page, 'debugger-status'), { timeout: 60_000 }).toContain('pause 2');
    expect(await panes.first().locator('td').allTextContents()).toEqual([
      '1970-01-01 00:01:00.000 UTC',
      '1970-01-01 00:02:00.000 UTC',
      '1',
      '1',
      '1',
    ]);

    // Continue to the end: A [0, 60 s), B [0, 60 s) and A [60 s, 120 s) reach the console.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => textOf(page, 'debugger-end'), { timeout: 60_000 }).toBe('out: 3 events out');
    await page.getByRole('button', { name: 'Stop debugging' }).click();
    await page.getByTestId('debugger-panel').waitFor({ state: 'detached' });
    expect(await page.getByTestId('edge-debug-e1').getAttribute('aria-label')).toBe(
      'Breakpoint on edge e1 when sku == "A" && quantity > 3',
    );

    // Nothing was deployed: the session ran the draft on the embedded engine.
    expect((await apiCall(base, 'GET', '/api/pipelines/debugger-e2e/status')).json.status).toBe('not-deployed');
    await page.close();
  }, 240_000);
});
