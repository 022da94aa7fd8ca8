/**
 * `pnpm screenshots`: fresh screenshots of the editor's main pages, light and dark, into
 * docs/screenshots (`<page>.png`, `<page>-dark.png`). The only command that writes there: the
 * e2e run keeps its screenshots in the ignored .tmp/e2e-screenshots. Needs Chromium; runs the
 * dynamic pricing example on a copy of the examples, on a server of its own (port 0).
 */
import { execSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../engine/src/server/start-server.js';
import { launchBrowser } from '../test/e2e/browser.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const ROOT = new URL('../', import.meta.url).pathname;
const OUT = join(ROOT, 'docs/screenshots');
const ID = 'dynamic-pricing';
const WAIT = { timeout: 60_000 };

const scratch = mkdtempSync(join(tmpdir(), 'sluice-shots-'));
const dist = join(scratch, 'dist');
const examplesDir = join(scratch, 'examples');
mkdirSync(OUT, { recursive: true });
execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${dist} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
// The running example writes its output beside its document: a copy keeps the checkout clean.
cpSync(join(ROOT, 'examples'), examplesDir, { recursive: true, filter: (src) => !src.endsWith('/out') });
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  dataDir: join(scratch, 'data'),
  examplesDir,
  editorDist: dist,
  log: () => undefined,
});
const base = `http://127.0.0.1:${server.port}`;
let browser: Browser | undefined;
const example = JSON.parse(readFileSync(join(examplesDir, ID, `${ID}.json`), 'utf8')) as {
  nodes: { id: string; config: { set?: Record<string, string> } }[];
};
const PRICE_FORMULA = example.nodes.find((n) => n.id === 'price')?.config.set?.price ?? '';

/** Each shot: the page brought to what it shows, then its file name (without theme and .png). */
type Shot = {
  name: string;
  take: (page: Page) => Promise<void>;
  /** Only this element, not the whole view. */
  element?: (page: Page) => ReturnType<Page['getByTestId']>;
  after?: (page: Page) => Promise<void>;
};
const SHOTS: Shot[] = [
  {
    name: 'pipelines',
    take: async (page) => {
      await page.goto(`${base}/#/`);
      await page.getByTestId(`pipeline-${ID}`).waitFor();
    },
  },
  {
    name: 'editor-running',
    take: async (page) => {
      await page.goto(`${base}/#/p/${ID}`);
      // Live numbers drawn on the nodes: the deployed run has reported metrics.
      await page.getByTestId('counts-price').waitFor(WAIT);
      await page.getByTestId('node-price').click();
      await page.getByRole('button', { name: 'Fit view' }).click();
    },
  },
  {
    name: 'editor-expression-error',
    take: async (page) => {
      await page
        .getByLabel('config.set.price')
        .fill('round(base_price * (1 + adjust_pct / 100) * (surge ? 1 + params.surge_pct / 100 : 1), 2');
      await page.locator('.expr .field-error').first().waitFor();
    },
    // The formula as it was, autosaved again, so the next pages show the example unchanged.
    after: async (page) => {
      await page.getByLabel('config.set.price').fill(PRICE_FORMULA);
      await page.locator('.expr .field-error').first().waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Save', exact: true }).waitFor(WAIT);
    },
  },
  {
    name: 'history',
    take: async (page) => {
      await page.goto(`${base}/#/p/${ID}/history`);
      await page.getByTestId('history-page').locator('table').first().waitFor();
    },
  },
  {
    name: 'business',
    take: async (page) => {
      await page.goto(`${base}/#/p/${ID}/business`);
      await page.getByTestId('business-page').locator('table').first().waitFor();
    },
  },
  {
    name: 'preview',
    take: async (page) => {
      await page.getByRole('button', { name: 'Preview' }).click();
      // The report, or the preview's own error said in the failure (not a bare timeout).
      const done = page.getByTestId('preview-outcomes').or(page.getByTestId('preview').getByRole('alert'));
      await done.first().waitFor(WAIT);
      if ((await page.getByTestId('preview-outcomes').count()) === 0)
        throw new Error(`the preview failed: ${await page.getByTestId('preview').getByRole('alert').textContent()}`);
    },
    element: (page) => page.getByTestId('preview'),
  },
  {
    name: 'rules-node-panel',
    take: async (page) => {
      await page.goto(`${base}/#/p/${ID}`);
      await page.getByTestId('node-pricing').click();
      await page.getByRole('complementary', { name: 'Node pricing' }).waitFor();
    },
  },
  {
    name: 'audit',
    take: async (page) => {
      await page.goto(`${base}/#/audit`);
      await page.getByTestId('audit-page').locator('table').first().waitFor();
    },
  },
];

try {
  const deployed = await fetch(`${base}/api/pipelines/${ID}/deploy`, { method: 'POST' });
  if (!deployed.ok) throw new Error(`deploy of ${ID}: ${deployed.status} ${await deployed.text()}`);
  browser = await launchBrowser();
  for (const theme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    for (const { name, take, element, after } of SHOTS) {
      await take(page);
      // Fonts and the last layout settled (React Flow fits the view on a frame of its own).
      await page.evaluate('document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))');
      const file = join(OUT, `${name}${theme === 'dark' ? '-dark' : ''}.png`);
      await (element ? element(page).screenshot({ path: file }) : page.screenshot({ path: file }));
      console.log(file.slice(ROOT.length));
      await after?.(page);
    }
    await page.close();
  }
} finally {
  await browser?.close();
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}
