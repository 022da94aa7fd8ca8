/**
 * The pricing analyst's story in a real browser against a real server with tokens: a business
 * user opens the running "Dynamic pricing" pipeline's business page, sees the exposed params and
 * the pricing table (no graph), is stopped by a value above its maximum, raises the surge
 * threshold, edits a table row, previews the draft on the recorded events (the changed prices
 * are exactly the electronics windows the new row now catches, each +8 %), deploys, finds her
 * change in the history, the pipeline's own output has the new prices, and a colleague rolls
 * it back with one click: the old prices come back.
 */
import { execSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TokenStore } from '@sluice/engine';
import { launchBrowser, screenshotDir } from './browser.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-business-');

const ROOT = new URL('../../', import.meta.url).pathname;
const SHOTS = screenshotDir();
// Its own build folder: other browser tests build editor/dist at the same time.
const DIST = tmp('dist');
const ID = 'dynamic-pricing';
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let base: string;
let examplesDir: string;
const token = { admin: '', ana: '', bob: '' };

beforeAll(async () => {
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${DIST} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
  const dataDir = tmp();
  const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
  token.admin = await tokens.add('ops', 'admin');
  token.ana = await tokens.add('ana', 'business');
  token.bob = await tokens.add('bob', 'business');
  // A copy of the examples: the pipeline writes its output beside them, and other tests run them too.
  examplesDir = tmp('examples');
  cpSync(join(ROOT, 'examples'), examplesDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join('examples', 'ysb')}`) && !src.endsWith('/out'),
  });
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir, examplesDir, editorDist: DIST, tokens, log: () => undefined });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Json = Record<string, unknown>;
const api = async <T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
};

async function signIn(page: Page, secret: string, at: string): Promise<void> {
  await page.goto(`${base}/${at}`);
  await page.getByTestId('signin-page').waitFor();
  await page.getByLabel('Token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Polls wait long: the machine running these may be busy. */
const WAIT = { timeout: 15_000, interval: 100 };

const round2 = (x: number) => Math.round(x * 100) / 100;

type Written = {
  sku: string;
  category: string;
  window_start: number;
  orders: number;
  base_price: number;
  adjust_pct: number;
  surge: boolean;
  price: number;
};
/** What the deployed pipeline wrote (its sink `prices`), by SKU and window. */
const written = (): Map<string, Written> =>
  new Map(
    readFileSync(join(examplesDir, 'dynamic-pricing', 'out', 'prices.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Written)
      .map((e) => [`${e.sku}@${e.window_start}`, e]),
  );
const completedRuns = async (): Promise<string> => (await api<{ status: string }>('GET', `/api/pipelines/${ID}/status`)).body.status;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(round2(x)));

describe('business page (Chromium)', () => {
  it('a pricing analyst edits the surge threshold and a pricing row, previews, deploys; the history shows it; a colleague rolls it back', async () => {
    // The live pipeline runs (its bounded source ends) and records its last events.
    expect((await api('POST', `/api/pipelines/${ID}/deploy`)).status).toBe(200);
    await expect
      .poll(async () => (await api<{ status: string }>('GET', `/api/pipelines/${ID}/status`)).body.status, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('completed');
    const recorded = (await api<{ sources: Record<string, number> }>('GET', `/api/pipelines/${ID}/recording`)).body.sources.orders ?? 0;
    expect(recorded).toBeGreaterThan(1000);

    // What the new row 1 ("electronics and demand > 40 -> +8 %") will catch, from the live version's own output.
    const live = (
      await api<{
        live: {
          outputs: { prices: { sku: string; category: string; window_start: number; orders: number; base_price: number; price: number }[] };
        };
      }>('POST', `/api/pipelines/${ID}/preview`, {})
    ).body.live.outputs.prices;
    const firstRun = written();
    const caught = live.filter((e) => e.category === 'electronics' && e.orders > 40);
    // Before: no electronics window reaches the old row 1 (> 1000) or row 2 (500..1000): change 0 %.
    expect(live.filter((e) => e.category === 'electronics' && e.orders >= 500)).toEqual([]);
    expect(caught.length).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    try {
      await signIn(page, token.ana, `#/p/${ID}/business`);
      await page.waitForURL(/#\/p\/dynamic-pricing\/business$/);
      await page.getByTestId('business-page').waitFor();
      expect(await page.getByTestId('canvas').count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Dynamic pricing' }).count()).toBe(1);
      expect(await page.getByTestId('biz-status').textContent()).toBe('completed');
      // The first run completed: the page shows what it ran with, not "not running".
      expect(await page.getByTestId('param-surge_threshold').locator('td').nth(2).textContent()).toBe('2000 orders');

      // The params, with labels, units, bounds and the live value.
      const threshold = page.getByLabel('Orders per 5 min that count as a surge');
      expect(await threshold.inputValue()).toBe('2000');
      expect(await page.getByTestId('param-surge_threshold').textContent()).toContain('0 to 100000 orders');
      expect(await page.getByTestId('param-surge_pct').textContent()).toContain('0 to 50 %');

      // Above the maximum: a clear message and nothing can be saved or deployed.
      await threshold.fill('200000');
      await expect
        .poll(
          async () =>
            (await page.getByTestId('param-surge_threshold-error').count()) &&
            page.getByTestId('param-surge_threshold-error').textContent(),
          WAIT,
        )
        .toBe('Orders per 5 min that count as a surge must be at most 100000 orders (allowed: 0 to 100000 orders)');
      expect(await page.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true);
      await threshold.fill('2400');
      await expect.poll(() => page.getByTestId('param-surge_threshold-error').count(), WAIT).toBe(0);

      // The pricing table: row 1 demand "> 1000" becomes "> 40".
      const demand = page.getByLabel('Pricing table row 1 demand value', { exact: true });
      expect(await demand.inputValue()).toBe('1000');
      expect(await page.getByLabel('Pricing table row 1 demand operator').inputValue()).toBe('>');
      await demand.fill('40');
      // Columns are fixed for her: no column editing.
      expect(await page.getByRole('button', { name: 'Add input column' }).count()).toBe(0);

      await expect
        .poll(async () => (await page.getByTestId('biz-changes').locator('li').allTextContents()).join('\n'), WAIT)
        .toBe(['surge_threshold 2000 -> 2400', 'Pricing table row 1 demand > 1000 -> > 40'].join('\n'));
      await page.screenshot({ path: join(SHOTS, 'business.png'), fullPage: true });

      // Preview: exactly the caught windows change price, each by +8 %.
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect
        .poll(async () => (await page.getByTestId('preview-outcomes').count()) && page.getByTestId('preview-outcomes').textContent(), {
          timeout: 30_000,
        })
        .toContain(`${caught.length} of ${live.length} events change outcome`);
      expect(await page.getByTestId('preview-summary').textContent()).toContain(`Ran on ${recorded} recorded events`);
      expect(await page.getByTestId('preview-prices-changed').textContent()).toBe(`${caught.length} changed`);
      expect(await page.getByTestId('preview-prices-unchanged').textContent()).toBe(`${live.length - caught.length} unchanged`);
      const priceLines = await page
        .locator('[data-testid="preview-sink-prices"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
      const prices = priceLines.filter((cells) => cells[2] === 'price');
      expect(prices).toHaveLength(caught.length);
      for (const e of caught) {
        const line = prices.find((cells) => cells[0]!.startsWith(`${e.sku} · electronics · `));
        expect(line, e.sku).toBeDefined();
        expect(line!.slice(3, 5)).toEqual([fmt(e.price), fmt(round2(e.base_price * 1.08))]);
        expect(line![6]).toMatch(/^\+(7\.9|8\.0|8\.1) %$/);
      }
      expect(await page.getByTestId('preview-chart').locator('rect').count()).toBeGreaterThanOrEqual(2 * Math.min(caught.length, 10));
      await page.getByTestId('preview').screenshot({ path: join(SHOTS, 'preview.png') });

      // Deploy: the live value is now hers; the stored document has exactly her two changes.
      await page.getByRole('button', { name: 'Deploy' }).click();
      await expect
        .poll(async () => (await page.locator('.biz-notice').count()) && page.locator('.biz-notice').textContent(), { timeout: 20_000 })
        .toBe('Deployed.');
      // Hers, while the run is live and once the bounded run has completed (the last run's values).
      await expect
        .poll(async () => (await page.getByTestId('param-surge_threshold').locator('td').nth(2).textContent()) ?? '', WAIT)
        .toBe('2400 orders');
      const stored = (
        await api<{
          pipeline: {
            version: number;
            document: {
              params: Record<string, { value: number }>;
              nodes: { id: string; config: { rows: { when: { demand: { value: number } } }[] } }[];
            };
          };
        }>('GET', `/api/pipelines/${ID}`)
      ).body.pipeline;
      expect(stored.document.params.surge_threshold!.value).toBe(2400);
      expect(stored.document.nodes.find((n) => n.id === 'pricing')!.config.rows[0]!.when.demand.value).toBe(40);
      const mine = stored.version;

      // The outputs changed: the run of her version (the whole stream, not the recording) priced
      // every electronics window above 40 orders at +8 %, and surges from 2400 orders.
      await expect.poll(completedRuns, { timeout: 60_000, interval: 500 }).toBe('completed');
      const afterDeploy = written();
      expect([...afterDeploy.keys()]).toEqual([...firstRun.keys()]);
      const electronics = [...afterDeploy.values()].filter((e) => e.category === 'electronics' && e.orders > 40);
      expect(electronics.length).toBeGreaterThan(0);
      for (const e of electronics) expect(e.adjust_pct, e.sku).toBe(8);
      for (const [k, e] of afterDeploy) {
        expect(e.surge, k).toBe(e.orders >= 2400);
        expect(e.price, k).toBe(round2(e.base_price * (1 + e.adjust_pct / 100) * (e.surge ? 1.1 : 1)));
      }
      // Windows the old table priced otherwise now have a new price.
      const newlyCaught = electronics.filter((e) => firstRun.get(`${e.sku}@${e.window_start}`)!.adjust_pct !== 8);
      expect(newlyCaught.length).toBeGreaterThan(0);
      for (const e of newlyCaught) expect(e.price, e.sku).not.toBe(firstRun.get(`${e.sku}@${e.window_start}`)!.price);

      // The history shows her versions (the save with her change list as its note, then the deploy) under her name.
      const versions = (
        await api<{ versions: { version: number; author: string; action: string; note?: string }[] }>(
          'GET',
          `/api/pipelines/${ID}/versions`,
        )
      ).body.versions;
      expect(versions.filter((v) => v.author === 'ana').map((v) => [v.version, v.action])).toEqual([
        [mine - 1, 'save'],
        [mine, 'deploy'],
      ]);
      await page.getByRole('link', { name: 'History' }).click();
      await page.getByTestId('history-page').waitFor();
      const saved = page.getByTestId(`version-${mine - 1}`);
      await saved.waitFor();
      expect(await saved.textContent()).toContain('ana');
      expect(await saved.textContent()).toContain('surge_threshold 2000 -> 2400; Pricing table row 1 demand > 1000 -> > 40');
      expect(await page.getByTestId(`version-${mine}`).textContent()).toContain('deploy');
      const before = versions.filter((v) => v.author !== 'ana').at(-1)!.version;

      // A colleague rolls it back with one click (and a confirmation).
      const bob = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const colleague = await bob.newPage();
      try {
        await signIn(colleague, token.bob, `#/p/${ID}/history`);
        await colleague.getByTestId(`version-${before}`).waitFor();
        colleague.once('dialog', (d) => void d.accept());
        await colleague.getByTestId(`version-${before}`).getByRole('button', { name: 'Roll back to this version' }).click();
        await expect
          .poll(
            async () =>
              (await api<{ pipeline: { document: { params: Record<string, { value: number }> } } }>('GET', `/api/pipelines/${ID}`)).body
                .pipeline.document.params.surge_threshold!.value,
            WAIT,
          )
          .toBe(2000);
      } finally {
        await bob.close();
      }
      // The rollback ran the old version again: its outputs are back, price for price.
      await expect
        .poll(async () => (await completedRuns()) === 'completed' && JSON.stringify([...written()]) === JSON.stringify([...firstRun]), {
          timeout: 60_000,
          interval: 500,
        })
        .toBe(true);
      await page.goto(`${base}/#/p/${ID}/business`);
      await page.getByTestId('business-page').waitFor();
      await expect.poll(() => page.getByLabel('Orders per 5 min that count as a surge').inputValue(), WAIT).toBe('2000');
      expect(await page.getByLabel('Pricing table row 1 demand value', { exact: true }).inputValue()).toBe('1000');
    } finally {
      await page.close();
    }
  }, 180_000);

  it('an engineer edits the same table in the node panel (columns too) and previews the canvas draft', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await signIn(page, token.admin, `#/p/${ID}`);
      await page.getByTestId('node-pricing').waitFor();
      await page.getByTestId('node-pricing').click();
      await page.getByTestId('rules-table-Pricing table').waitFor();
      // Engineer mode: the columns are editable, and so is the hit policy.
      expect(await page.getByLabel('Pricing table input demand id').inputValue()).toBe('demand');
      expect(await page.getByLabel('Pricing table hit policy').inputValue()).toBe('first');
      const rows = () => page.locator('[data-testid^="Pricing table-row-"]:not([data-testid$="-problem"])').count();
      expect(await rows()).toBe(5);
      // Duplicate row 3, then change the copy's output: the stored table follows (autosave).
      await page.getByRole('button', { name: 'Duplicate Pricing table row 3' }).click();
      expect(await rows()).toBe(6);
      await page.getByLabel('Pricing table row 4 adjust_pct', { exact: true }).fill('-7');
      await expect
        .poll(
          async () =>
            (
              await api<{ pipeline: { document: { nodes: { id: string; config: { rows: { then: { adjust_pct: number } }[] } }[] } } }>(
                'GET',
                `/api/pipelines/${ID}`,
              )
            ).body.pipeline.document.nodes
              .find((n) => n.id === 'pricing')!
              .config.rows.map((r) => r.then.adjust_pct),
          { timeout: 10_000 },
        )
        .toEqual([8, 3, -5, -7, 4, -10]);
      // The duplicate is hidden by the row it copies: the node's own check says so on that row.
      await expect
        .poll(
          async () =>
            (await page.getByTestId('Pricing table-row-4-problem').count()) &&
            page.getByTestId('Pricing table-row-4-problem').first().textContent(),
          WAIT,
        )
        .toContain('unreachable');
      await page.screenshot({ path: join(SHOTS, 'rules-node-panel.png') });

      // Preview from the canvas, against the version that last ran (the rollback): the copy sits
      // under row 3, which catches the same windows first, so no price moves; only the rule
      // number of the windows priced by the rows below it shifts by one.
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect
        .poll(async () => (await page.getByTestId('preview-outcomes').count()) && page.getByTestId('preview-outcomes').textContent(), {
          timeout: 30_000,
        })
        .toMatch(/^\d+ of \d+ events change outcome/);
      const moves = await page
        .locator('[data-testid="preview-sink-prices"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
      expect(moves.length).toBeGreaterThan(0);
      for (const cells of moves) {
        expect(cells[2]).toBe('pricing_rule');
        expect(Number(cells[4])).toBe(Number(cells[3]) + 1);
        expect(Number(cells[3])).toBeGreaterThanOrEqual(4); // rows 4 and 5 of the old table
      }
      await page.getByRole('dialog', { name: 'Preview of the draft' }).getByRole('button', { name: 'Close' }).click();
      expect(await page.getByTestId('preview').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('a viewer reads the page: no inputs to change, no Save, Preview or Deploy', async () => {
    const dataDir = tmp('viewer');
    const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
    const vic = await tokens.add('vic', 'viewer');
    const other = await startServer({ port: 0, host: '127.0.0.1', dataDir, editorDist: DIST, tokens, log: () => undefined });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${other.port}/#/p/${ID}/business`);
      await page.getByTestId('signin-page').waitFor();
      await page.getByLabel('Token').fill(vic);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('business-page').waitFor();
      expect(await page.getByLabel('Orders per 5 min that count as a surge').getAttribute('readonly')).not.toBeNull();
      expect(await page.getByLabel('Pricing table row 1 demand value', { exact: true }).getAttribute('readonly')).not.toBeNull();
      for (const name of ['Save draft', 'Preview', 'Deploy', 'Add row'])
        expect(await page.getByRole('button', { name }).count(), name).toBe(0);
      expect(await page.getByRole('link', { name: 'History' }).count()).toBe(1);
    } finally {
      await page.close();
      await other.close();
    }
  }, 60_000);
});
