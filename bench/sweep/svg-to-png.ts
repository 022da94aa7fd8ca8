/** SVG to PNG with the Chromium the browser tests use (their launcher: playwright-core, /usr/bin/chromium). */
import { launchBrowser } from '../../test/e2e/browser.js';

export async function svgsToPngs(figures: { svg: string; width: number; height: number; path: string }[]): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const f of figures) {
      await page.setViewportSize({ width: f.width, height: f.height });
      await page.setContent(`<!doctype html><html><body style="margin:0">${f.svg}</body></html>`);
      await page.screenshot({ path: f.path, clip: { x: 0, y: 0, width: f.width, height: f.height } });
    }
  } finally {
    await browser.close();
  }
}
