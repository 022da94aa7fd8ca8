/** Debian's Chromium driven by playwright-core (never a downloaded browser); a fresh profile per launch. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Where the browser tests put their screenshots: docs/screenshots only when asked
 * (`SLUICE_SCREENSHOTS=1 pnpm exec vitest run test/e2e`), else a temporary folder, so a test
 * run never changes a tracked file.
 */
export function screenshotDir(): string {
  if (process.env.SLUICE_SCREENSHOTS === '1') return new URL('../../docs/screenshots', import.meta.url).pathname;
  return mkdtempSync(join(tmpdir(), 'sluice-screenshots-'));
}
