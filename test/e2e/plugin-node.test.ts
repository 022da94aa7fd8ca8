/**
 * A node type from a plugin package in the editor, in a real browser: with the server started
 * `--plugin examples/custom-node`, `example.dedupe` is in the palette, dragged onto the canvas,
 * wired between a source and a sink, configured through its generated form with no "unknown
 * node type" problem, deployed, and shows its counts. Without the plugin the palette lacks it.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopProcess } from '@sluice/engine';
import { launchBrowser } from './browser.js';
import { connect } from './canvas-drag.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sluice-test-plugin-ui-'));
let withPlugin: { url: string; process: ChildProcess };
let without: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

/** `sluice serve --plugin examples/custom-node` on a free port; resolves once it listens. */
function servePlugin(): Promise<{ url: string; process: ChildProcess }> {
  const { SLUICE_PLUGINS: _, ...env } = process.env;
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', 'engine/src/cli/main.ts', 'serve', '--port', '0', '--plugin', 'examples/custom-node'],
    {
      cwd: ROOT,
      env: { ...env, SLUICE_DATA_DIR: join(dir, 'plugin-data'), HOST: '127.0.0.1', REDIS_URL: '', DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let log = '';
    p.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Sluice on (http:\/\/[\d.:]+)/.exec(log);
      if (m) resolve({ url: m[1]!, process: p });
    });
    p.once('exit', (code) => reject(new Error(`sluice serve exited (${code}) before listening: ${log}`)));
  });
}

beforeAll(async () => {
  execSync('pnpm --filter @sluice/editor build', { cwd: ROOT, stdio: 'ignore' });
  withPlugin = await servePlugin();
  // In this process no plugin is loaded: the registry holds the built-in types only.
  without = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'plain-data'), log: () => undefined });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await without?.close();
  if (withPlugin) await stopProcess(withPlugin.process, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function openNewCanvas(base: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/#/new`);
  await page.getByLabel('Pipeline', { exact: true }).waitFor();
  return page;
}

describe('a plugin node type in the editor (Chromium)', () => {
  it('is in the palette, dragged, wired, configured through its form, deployed, and counts its events', async () => {
    const page = await openNewCanvas(withPlugin.url);
    const item = page.getByTestId('palette-example.dedupe');
    // In its declared category (transform), marked as coming from a plugin.
    await expect.poll(async () => (await page.locator('section', { has: item }).locator('h3').textContent()) ?? '').toBe('transform');
    expect(await item.textContent()).toContain('Dedupeplugin');

    await page.getByLabel('Pipeline name').fill('Categories once');
    const canvas = page.getByTestId('canvas');
    await page.getByTestId('palette-source.generator').dragTo(canvas, { targetPosition: { x: 80, y: 120 } });
    await item.dragTo(canvas, { targetPosition: { x: 420, y: 120 } });
    await page.getByTestId('palette-sink.console').dragTo(canvas, { targetPosition: { x: 760, y: 120 } });
    for (const id of ['generator1', 'dedupe1', 'console1']) await page.getByTestId(`node-${id}`).waitFor();
    await page.locator('.react-flow__controls-fitview').click();

    // 200 orders (seed 1), fast.
    await page.getByTestId('node-generator1').click();
    await page.getByLabel('config.rate', { exact: true }).fill('1000');
    await page.getByLabel('config.count', { exact: true }).fill('200');

    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await connect(page, 'generator1', 'dedupe1');
    await connect(page, 'dedupe1', 'console1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    // The form is drawn from the plugin's JSON Schema: its required field, checked as you type.
    await page.getByTestId('node-dedupe1').click();
    const field = page.getByLabel('config.field', { exact: true });
    expect(await field.inputValue()).toBe('order_id'); // the plugin's example config
    await field.fill('');
    await expect.poll(async () => (await page.locator('footer').textContent()) ?? '').toContain('dedupe1: config.field');
    await field.fill('category');
    await expect.poll(async () => (await page.locator('footer').textContent()) ?? '').toContain('No problems');
    expect(await page.locator('body').textContent()).not.toContain('unknown node type');

    await page.getByRole('button', { name: 'Deploy' }).click();
    // The orders scenario has 8 categories, all among 200 orders: 200 in, the first of each (8) out.
    await expect
      .poll(async () => (await page.getByTestId('counts-dedupe1').textContent()) ?? '', { timeout: 30_000 })
      .toMatch(/^in 200 out 8\b/);
    await page.close();
  }, 120_000);

  it('is not in the palette of a server started without the plugin', async () => {
    const page = await openNewCanvas(without.url);
    await page.getByTestId('palette-source.generator').waitFor();
    expect(await page.getByTestId('palette-filter').count()).toBe(1);
    expect(await page.getByTestId('palette-example.dedupe').count()).toBe(0);
    expect(await page.locator('.palette .badge').count()).toBe(0);
    await page.close();
  }, 60_000);
});
