/**
 * Issue 13, accessibility: nodes and ports are reached by Tab with a visible focus ring, and an
 * output is connected to an input by keyboard alone (Enter on the port, a list of the ports it
 * can feed, Enter on one), the result said through an aria-live region.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile, drawn } from './canvas-session.js';

const suite = canvasSessionForFile();

const active = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') ?? el?.getAttribute('data-id') ?? '';
  });

/** The outline of the focused element (the ring a sighted keyboard user follows). */
const ring = (page: Page) =>
  page.evaluate(() => {
    const s = getComputedStyle(document.activeElement!);
    return { style: s.outlineStyle, width: s.outlineWidth };
  });

describe('keyboard connection (Chromium)', () => {
  it('Tab reaches each node and its ports; Enter on an output lists the inputs it can feed; Enter connects and announces it', async () => {
    const page = await suite.get().browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${suite.get().base}/#/new`);
    // Added by keyboard from the palette.
    for (const type of ['source.generator', 'filter', 'sink.console']) {
      await page.getByTestId(`palette-${type}`).focus();
      await page.keyboard.press('Enter');
    }
    for (const id of ['generator1', 'filter1', 'console1']) await page.getByTestId(`node-${id}`).waitFor();
    await page.locator('.react-flow__controls-fitview').click();

    // Tab from the generator: its output port; then the filter, its input, its two outputs; then the console and its input.
    await page.locator('[data-id="generator1"]').focus();
    const order: string[] = [await active(page)];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('Tab');
      order.push(await active(page));
    }
    expect(order).toEqual([
      'Generator: Generator node',
      'Output out of Generator: press Enter to connect',
      'Filter: Filter node',
      'Input in of Filter: press Enter to connect',
      'Output out of Filter: press Enter to connect',
      'Output error of Filter: press Enter to connect',
      'Console: Console node',
      'Input in of Console: press Enter to connect',
    ]);
    // The focused port shows a ring.
    expect(await ring(page)).toEqual({ style: 'solid', width: '3px' });

    // Output of the generator: the list holds the inputs it can feed (not itself, no source).
    await page.locator('[data-id="generator1"]').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('menu').getAttribute('aria-label')).toBe('Connect Generator (generator1) output out to');
    expect(await page.getByRole('menu').getByRole('menuitem').allTextContents()).toEqual([
      'Filter (filter1) · in',
      'Console (console1) · in',
    ]);
    await expect.poll(() => active(page)).toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1']);
    await expect
      .poll(() => page.getByTestId('canvas-announcer').textContent())
      .toBe('Connected Generator (generator1) out to Filter (filter1) in');
    expect(await page.getByTestId('canvas-announcer').getAttribute('aria-live')).toBe('polite');
    // The focus is back on the port it started from.
    await expect.poll(() => active(page)).toBe('Output out of Generator: press Enter to connect');

    // From the input side: the console's input lists the outputs that can feed it (the generator's too: a second edge into the console is allowed).
    await page.locator('[data-id="console1"]').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('menu').getByRole('menuitem').allTextContents()).toEqual([
      'Generator (generator1) · out',
      'Filter (filter1) · out',
      'Filter (filter1) · error',
    ]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1', 'e2']);
    await expect
      .poll(() => page.getByTestId('canvas-announcer').textContent())
      .toBe('Connected Filter (filter1) out to Console (console1) in');

    // A connection already made is not offered again; a cycle is never offered.
    await page.locator('[data-id="filter1"]').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('menu').getByRole('menuitem').allTextContents()).toEqual([]);
    await expect
      .poll(() => page.getByTestId('canvas-announcer').textContent())
      .toBe('No port can be connected to Filter (filter1) input in');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu').count()).toBe(0);
    await expect.poll(() => active(page)).toBe('Input in of Filter: press Enter to connect');
    // Undo takes the last connection only.
    await page.keyboard.press('Control+z');
    await expect.poll(() => drawn(page).then((d) => d.edges)).toEqual(['e1']);
    await page.close();
  }, 120_000);
});
