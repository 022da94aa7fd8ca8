/** The debugger tests' pipeline (an HTTP source, a keyed tumbling window, a console), its pinned events, and a breakpoint set as a user does. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { textOf } from './sample-pipeline.js';

export const DEBUGGER_DOC = {
  format: 'sluice/v1',
  id: 'debugger-e2e',
  name: 'Debugger e2e',
  nodes: [
    { id: 'in', type: 'source.http', config: { timeField: 'ts' }, position: { x: 0, y: 0 } },
    {
      id: 'w',
      type: 'window',
      config: {
        type: 'tumbling',
        size: '1m',
        keyBy: ['sku'],
        aggregates: [
          { as: 'orders', op: 'count' },
          { as: 'units', op: 'sum', field: 'quantity' },
        ],
      },
      position: { x: 320, y: 0 },
    },
    { id: 'out', type: 'sink.console', config: { prefix: 'debugger-e2e: ' }, position: { x: 640, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'w' },
    { id: 'e2', source: 'w', target: 'out' },
  ],
};

// In event-time order, so the replay's watermark trails the largest time by nothing.
export const DEBUGGER_EVENTS = [
  { sku: 'A', quantity: 2, ts: 1_000 },
  { sku: 'B', quantity: 5, ts: 2_000 },
  { sku: 'A', quantity: 3, ts: 20_000 },
  { sku: 'A', quantity: 4, ts: 30_000 },
  { sku: 'A', quantity: 1, ts: 61_000 },
  { sku: 'A', quantity: 6, ts: 62_000 },
];

/** Right-clicks the edge and adds a breakpoint (with the condition typed in, if one), then waits for its marker. */
export async function addBreakpoint(page: Page, edgeId: string, condition?: string): Promise<void> {
  const edge = page.locator(`.react-flow__edge[data-id="${edgeId}"] path`).first();
  const box = (await edge.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
  const menu = page.getByRole('menu');
  if (condition === undefined) await menu.getByRole('menuitem', { name: 'Add breakpoint', exact: true }).click();
  else {
    await menu.getByRole('menuitem', { name: 'Add breakpoint with condition…' }).click();
    await page.getByLabel('Breakpoint condition').fill(condition);
    await page.keyboard.press('Enter');
  }
  await expect
    .poll(() => page.getByTestId(`edge-debug-${edgeId}`).getAttribute('aria-label'), { timeout: 15_000 })
    .toBe(condition ? `Breakpoint on edge ${edgeId} when ${condition}` : `Breakpoint on edge ${edgeId}`);
}

/** Opens a debug session on the pinned samples (6 events) and runs to the first hit of the breakpoint on `edgeId`. */
export async function debugToFirstHit(page: Page, edgeId: string): Promise<void> {
  await page.getByLabel('Debug on').selectOption('pinned');
  await page.getByRole('button', { name: 'Debug', exact: true }).click();
  await expect.poll(() => textOf(page, 'debugger-status'), { timeout: 60_000 }).toContain('Ready on 6 events (in: pinned)');
  await page.getByRole('button', { name: 'Run to next hit' }).click();
  await expect.poll(() => textOf(page, 'debugger-status'), { timeout: 60_000 }).toContain(`Breakpoint bp-${edgeId} hit`);
}
