/**
 * Issue 13, defect 22: a canvas left open goes to sign-in when the server comes back asking for
 * tokens (restarted with a token added), instead of going on as if nothing had changed.
 */
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, TokenStore } from '@sluice/engine';
import { launchBrowser } from './browser.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-');

const ROOT = new URL('../../', import.meta.url).pathname;
let browser: Browser | undefined;
let server: RunningServer | undefined;
const dataDir = tmp('session-watch');
const examplesDir = tmp('no-examples');

beforeAll(async () => {
  execSync('pnpm --filter @sluice/editor build', { cwd: ROOT, stdio: 'ignore' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('an open page and a server that starts asking for tokens (Chromium)', () => {
  it('the canvas goes to sign-in, and back to the pipeline once signed in', async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir, examplesDir, log: () => undefined });
    const port = server.port;
    const base = `http://127.0.0.1:${port}`;
    const doc = { format: 'sluice/v1', id: 'watched', name: 'Watched', nodes: [], edges: [] };
    expect(
      (await fetch(`${base}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) }))
        .status,
    ).toBe(201);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/p/watched`);
    await expect.poll(() => page.getByLabel('Pipeline name').inputValue()).toBe('Watched');

    // The same server comes back on the same port, now with a token.
    await server.close();
    server = undefined;
    const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
    const token = await tokens.add('ops', 'admin');
    server = await startServer({ port, host: '127.0.0.1', dataDir, examplesDir, tokens, log: () => undefined });

    await page.waitForURL(/#\/signin/, { timeout: 30_000 });
    await page.getByLabel(/token/i).first().fill(token);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(/#\/p\/watched$/);
    await expect.poll(() => page.getByLabel('Pipeline name').inputValue()).toBe('Watched');
    await page.close();
  }, 120_000);
});
