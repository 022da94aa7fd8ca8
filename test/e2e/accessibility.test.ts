/**
 * axe-core on every page of the editor, in the light and the dark theme (issue 13): the
 * pipelines list, a canvas with a node selected (a window, a rules table with the debug panel
 * open, the debugger paused, the shortcut sheet), an empty new pipeline, history, audit, workers, a business page and
 * sign-in. Any serious or critical violation fails the test, each printed with its selector.
 * Also the theme itself: it follows the system setting, the toggle overrides it across a
 * reload, and React Flow's background and minimap follow.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ownBuildSession } from './own-build-session.js';
import { describeViolations, seriousViolations } from './axe.js';

const session = ownBuildSession('a11y');

/** Each page, opened and brought to the state a user sees. */
const PAGES: { name: string; open: (page: Page) => Promise<void> }[] = [
  {
    name: 'pipelines',
    open: async (page) => {
      await page.goto(`${session.base}/#/`);
      await page.getByTestId('pipeline-fraud').waitFor();
    },
  },
  {
    name: 'editor with a node selected',
    open: async (page) => {
      await page.goto(`${session.base}/#/p/fraud`);
      await page.getByTestId('node-per_card').click();
      await page.getByRole('complementary', { name: 'Node per_card' }).waitFor();
    },
  },
  {
    name: 'editor with a rules node selected and the debug panel open',
    open: async (page) => {
      await page.goto(`${session.base}/#/p/fraud`);
      await page.getByTestId('node-rules').click();
      await page.getByRole('complementary', { name: 'Node rules' }).waitFor();
      await page.getByRole('button', { name: 'Show debug panel' }).click();
      await page.getByRole('tabpanel').waitFor();
    },
  },
  {
    name: 'editor paused in the stream debugger',
    open: async (page) => {
      // Not fraud: its HMAC secret is not set here, and its run would end at once.
      await page.goto(`${session.base}/#/p/dynamic-pricing`);
      await page.getByTestId('node-demand').waitFor();
      await page.getByRole('button', { name: 'Debug', exact: true }).click();
      await page.getByRole('button', { name: 'Step', exact: true }).click();
      await page.getByTestId('debugger-watermarks').waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'keyboard shortcut sheet',
    open: async (page) => {
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    },
  },
  {
    name: 'new empty pipeline',
    open: async (page) => {
      await page.goto(`${session.base}/#/new`);
      await page.getByTestId('canvas-empty').waitFor();
    },
  },
  {
    name: 'history',
    open: async (page) => {
      await page.goto(`${session.base}/#/p/fraud/history`);
      await page.getByTestId('history-page').locator('table').first().waitFor();
    },
  },
  {
    name: 'audit',
    open: async (page) => {
      await page.goto(`${session.base}/#/audit`);
      await page.getByTestId('audit-page').waitFor();
    },
  },
  {
    name: 'workers',
    open: async (page) => {
      await page.goto(`${session.base}/#/workers`);
      await page.getByTestId('workers-page').waitFor();
    },
  },
  {
    name: 'business',
    open: async (page) => {
      await page.goto(`${session.base}/#/p/dynamic-pricing/business`);
      await page.getByTestId('business-page').locator('table').first().waitFor();
    },
  },
  {
    name: 'sign-in',
    open: async (page) => {
      await page.goto(`${session.base}/#/signin`);
      await page.getByTestId('signin-page').waitFor();
    },
  },
];

const theme = (page: Page) => page.evaluate('document.documentElement.dataset.theme');
const style = (page: Page, selector: string, property: string) =>
  page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);

describe('accessibility (axe-core in Chromium)', () => {
  it('the check itself finds a serious problem and names its element', async () => {
    const page = await session.browser.newPage();
    await page.setContent('<html lang="en"><head><title>t</title></head><body><main><button id="nameless"></button></main></body></html>');
    const lines = describeViolations('probe', await seriousViolations(page));
    await page.close();
    expect(lines.some((l) => l.includes('button-name') && l.includes('#nameless'))).toBe(true);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme} theme: no serious or critical violation on any page`, async () => {
      const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
      const found: string[] = [];
      for (const { name, open } of PAGES) {
        await open(page);
        expect(await theme(page)).toBe(scheme);
        found.push(...describeViolations(`${scheme} ${name}`, await seriousViolations(page)));
      }
      await page.close();
      expect(found, found.join('\n')).toEqual([]);
    }, 180_000);
  }
});

describe('colour theme (Chromium)', () => {
  it('follows the system setting; the toggle overrides it and is kept across a reload; React Flow follows', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(`${session.base}/#/p/fraud`);
    await page.getByTestId('node-per_card').waitFor();
    expect(await theme(page)).toBe('dark');
    expect(await page.getByTestId('theme-system').getAttribute('aria-pressed')).toBe('true');
    // The dark tokens, on the page and inside React Flow (its pane, minimap and controls).
    expect(await style(page, 'html', 'backgroundColor')).toBe('rgb(15, 19, 24)');
    expect(await style(page, '.react-flow', 'backgroundColor')).toBe('rgb(15, 19, 24)');
    expect(await style(page, '.react-flow__minimap', 'backgroundColor')).toBe('rgb(23, 28, 35)');
    expect(await style(page, '.react-flow__controls-button', 'backgroundColor')).toBe('rgb(23, 28, 35)');

    await page.getByTestId('theme-light').click();
    expect(await theme(page)).toBe('light');
    expect(await style(page, '.react-flow', 'backgroundColor')).toBe('rgb(246, 247, 249)');
    expect(await style(page, '.react-flow__minimap', 'backgroundColor')).toBe('rgb(255, 255, 255)');
    await page.reload();
    await page.getByTestId('node-per_card').waitFor();
    expect(await theme(page)).toBe('light');
    expect(await page.getByTestId('theme-light').getAttribute('aria-pressed')).toBe('true');

    // Back to "system": the dark setting applies again, and a change of it is followed at once.
    await page.getByTestId('theme-system').click();
    expect(await theme(page)).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => theme(page)).toBe('light');
    await page.close();
  }, 90_000);
});
