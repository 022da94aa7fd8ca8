/**
 * The workers page in a real browser against a real server on BullMQ with a real worker
 * process: it lists the worker (host, pid, idle, a fresh heartbeat, live) and the server
 * (leading), follows the worker leaving (SIGTERM), and a viewer is offered no link and is
 * refused the page.
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorkers, spawnWorkers, startServer, stopProcess, TokenStore } from '@sluice/engine';
import { launchBrowser } from './browser.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-workers-');

const ROOT = new URL('../../', import.meta.url).pathname;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-panel-${randomUUID().slice(0, 8)}`;
// Its own build folder: the other browser tests build theirs at the same time.
const DIST = tmp('dist');
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let browser: Browser | undefined;
let local: LocalWorkers | undefined;

beforeAll(async () => {
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${DIST} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: tmp(),
    editorDist: DIST,
    redisUrl: REDIS_URL,
    prefix: PREFIX,
    log: () => undefined,
  });
  local = spawnWorkers(1, { redisUrl: REDIS_URL, prefix: PREFIX });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
  await server?.close();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
});

describe('workers page (Chromium)', () => {
  it('lists the worker with its host, pid and a fresh heartbeat, and follows it leaving', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${server!.port}/`);
      await page.getByRole('link', { name: 'Workers', exact: true }).click();
      await page.waitForURL(/#\/workers$/);
      await page.getByTestId('workers-page').waitFor();
      const worker = local!.processes[0]!;
      const row = page.getByTestId('workers').locator('tbody tr');
      // Once it started (tsx takes a few seconds): one row, this machine, its pid, nothing held.
      await expect.poll(async () => ((await page.getByTestId('workers').count()) ? row.count() : 0), { timeout: 60_000 }).toBe(1);
      const cells = await row.first().locator('td').allTextContents();
      expect(cells[1]).toBe(hostname());
      expect(cells[2]).toBe(String(worker.pid));
      expect(cells[3]).toBe('idle');
      expect(cells[4]).toMatch(/^\d\.\d s ago$/);
      expect(cells[5]).toBe('yes');
      // The one server (this process), leading.
      await page.getByTestId('servers').waitFor();
      const serverRow = page.getByTestId('servers').locator('tbody tr');
      expect(await serverRow.count()).toBe(1);
      const serverCells = await serverRow.first().locator('td').allTextContents();
      expect(serverCells[0]).toMatch(/\(this one\)$/);
      expect(serverCells[2]).toBe(String(process.pid));
      expect(serverCells[3]).toMatch(/^leader since /);
      // SIGTERM: it says goodbye, and the page (refreshed every 2 s) shows nobody.
      await stopProcess(worker, 'SIGTERM');
      await page.getByText('No worker serves the queues.').waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a viewer is offered no Workers link and is refused the page', async () => {
    const dataDir = tmp('auth');
    const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
    const viewer = await tokens.add('vic', 'viewer');
    const authed = await startServer({ port: 0, host: '127.0.0.1', dataDir, editorDist: DIST, tokens, log: () => undefined });
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${authed.port}/#/workers`);
      await page.getByTestId('signin-page').waitFor();
      await page.getByLabel('Token').fill(viewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('workers-page').waitFor();
      await page.getByText('The workers cannot be listed:').waitFor();
      expect(await page.getByRole('link', { name: 'Workers', exact: true }).count()).toBe(0);
    } finally {
      await page.close();
      await authed.close();
    }
  }, 120_000);
});
