/** Screenshots of the editor for docs/ (npx tsx scripts/screenshots.ts; needs Chromium). */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../engine/src/server/start-server.js';
import { launchBrowser } from '../test/e2e/browser.js';

const ROOT = new URL('../', import.meta.url).pathname;
const OUT = join(ROOT, 'docs/screenshots');
mkdirSync(OUT, { recursive: true });
execSync('pnpm --filter @sluice/editor build', { cwd: ROOT, stdio: 'ignore' });
const server = await startServer({
  port: 18_555,
  host: '127.0.0.1',
  dataDir: mkdtempSync(join(tmpdir(), 'sluice-shots-')),
  log: () => undefined,
});
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
await page.goto('http://127.0.0.1:18555/#/p/dynamic-pricing');
await page.getByTestId('node-price').waitFor();
await page.getByRole('button', { name: 'Deploy' }).click();
await page.waitForTimeout(2500);
await page.getByTestId('node-price').click();
await page.getByRole('button', { name: 'Fit view' }).click();
await page.waitForTimeout(400);
await page.screenshot({ path: join(OUT, 'editor-running.png') });
await page.getByLabel('config.set.price').fill('round(base_price * (1 + adjust_pct / 100) * (surge ? 1 + params.surge_pct / 100 : 1), 2');
await page.waitForTimeout(300);
await page.screenshot({ path: join(OUT, 'editor-expression-error.png') });
await browser.close();
await server.close();
