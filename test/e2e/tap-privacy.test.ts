/**
 * The tap panel in a real browser (docs/privacy.md): a generated card id crossing an edge shows
 * as "***" with a note naming the field, and as it is when the document turns the default off.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '@sluice/engine';
import { launchBrowser } from './browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;
// Its own build folder: other browser tests build editor/dist at the same time.
const DIST = mkdtempSync(join(tmpdir(), 'sluice-tap-privacy-dist-'));
const DATA = mkdtempSync(join(tmpdir(), 'sluice-tap-privacy-'));
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${DIST} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: DATA, editorDist: DIST, log: () => undefined });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(DIST, { recursive: true, force: true });
  rmSync(DATA, { recursive: true, force: true });
});

const doc = (id: string, privacy?: Record<string, unknown>) => ({
  format: 'sluice/v1',
  id,
  name: id,
  nodes: [
    { id: 'tx', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'transactions', rate: 50, seed: 5 } },
    { id: 'out', type: 'sink.file', position: { x: 300, y: 0 }, config: { path: `${id}.jsonl` } },
  ],
  edges: [{ id: 'e1', source: 'tx', target: 'out' }],
  ...(privacy ? { privacy } : {}),
});

async function call(method: string, path: string, body?: unknown): Promise<number> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await r.text();
  return r.status;
}

/** Open the pipeline, deployed, and tap its one edge; the tap's text and the masked note (or null). */
async function tapped(id: string, privacy?: Record<string, unknown>): Promise<{ tap: string; note: string | null }> {
  expect(await call('POST', '/api/pipelines', doc(id, privacy))).toBe(201);
  expect(await call('POST', `/api/pipelines/${id}/deploy`)).toBe(200);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(`${base}/#/p/${id}`);
    await page.getByTestId('node-tx').waitFor();
    await page.locator('.react-flow__edge').first().click({ force: true });
    await expect.poll(async () => (await page.getByTestId('tap').textContent()) ?? '', { timeout: 20_000 }).toContain('card_id');
    const note = (await page.getByTestId('tap-masked').count()) > 0 ? await page.getByTestId('tap-masked').textContent() : null;
    return { tap: (await page.getByTestId('tap').textContent()) ?? '', note };
  } finally {
    await page.close();
    await call('POST', `/api/pipelines/${id}/stop`);
  }
}

describe('tap panel (Chromium)', () => {
  it('shows personal-looking fields masked, and says which', async () => {
    const { tap, note } = await tapped('masked');
    expect(tap).toContain('"card_id":"***"');
    expect(tap).not.toMatch(/card-\d{5}/);
    expect(note).toContain('card_id (looks personal)');
  }, 90_000);

  it('shows them as they are when the document turns the default off', async () => {
    const { tap, note } = await tapped('shown', { maskPersonalFields: false });
    expect(tap).toMatch(/"card_id":"card-\d{5}"/);
    expect(note).toBeNull();
  }, 90_000);
});
