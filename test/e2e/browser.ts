/** Debian's Chromium driven by playwright-core (never a downloaded browser); a fresh profile per launch. */
import { existsSync, mkdirSync } from 'node:fs';
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
 * Where the browser tests put their screenshots: .tmp/e2e-screenshots (git-ignored), so a test
 * run never changes a tracked file. docs/screenshots is written by `pnpm screenshots` only.
 */
export function screenshotDir(): string {
  const dir = new URL('../../.tmp/e2e-screenshots', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  return dir;
}
