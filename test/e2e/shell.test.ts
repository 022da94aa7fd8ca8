/**
 * The editor's shell in a real browser against a real server: the pipelines page (new, rename,
 * duplicate, delete, paste-import of an invalid then a valid document, paste on the canvas),
 * the history page (two saves, the diff names the changed value, rolling back restores it,
 * the audit log shows it), Check connection on a connector node, and signing in with a viewer token (read-only canvas, sign out).
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TokenStore } from '@sluice/engine';
import { launchBrowser, screenshotDir } from './browser.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-shell-');

const ROOT = new URL('../../', import.meta.url).pathname;
const SHOTS = screenshotDir();
// Its own build folder: editor.test.ts builds editor/dist at the same time.
const DIST = tmp('dist');
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${DIST} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: tmp(),
    editorDist: DIST,
    log: () => undefined,
  });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const api = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      pipeline?: { document: Record<string, unknown> & { nodes: { id: string; config: Record<string, unknown> }[] } };
    },
  };
};

/** A paste of `text` anywhere on the page (outside a text field), as Ctrl/Cmd+V delivers it. */
async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
}

/** Answer the next dialog (prompt text, or true to confirm). */
const answer = (page: Page, reply: string | true) => page.once('dialog', (d) => void d.accept(reply === true ? undefined : reply));

const orders = (id: string, name: string, extra: object[] = []) => ({
  format: 'sluice/v1',
  id,
  name,
  nodes: [
    { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 10 } },
    { id: 'out', type: 'sink.console', position: { x: 300, y: 0 }, config: {} },
    ...extra,
  ],
  edges: [{ id: 'e1', source: 'gen', target: 'out' }],
});

describe('editor shell (Chromium)', () => {
  it('pipelines page: new, rename, duplicate, delete; a pasted invalid document shows why, a valid one imports; a paste on the canvas replaces after confirm', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(base);
    await page.getByTestId('pipelines-page').waitFor();
    await page.getByTestId('pipeline-fraud').waitFor();
    // A server without tokens (local-only): nobody to show, no sign-out.
    expect(await page.getByTestId('who').count()).toBe(0);

    // New: asks a name in the page (not a browser prompt), creates an empty pipeline and opens its canvas.
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.getByLabel('Name of the new pipeline').fill('Shell test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/#\/p\/shell-test$/);
    await expect.poll(() => page.getByLabel('Pipeline name').inputValue()).toBe('Shell test');
    expect((await api('/api/pipelines/shell-test')).body.pipeline?.document.nodes).toEqual([]);

    await page.getByRole('link', { name: 'Pipelines', exact: true }).click();
    const row = page.getByTestId('pipeline-shell-test');
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('0');

    // Rename.
    answer(page, 'Shell renamed');
    await row.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => row.locator('.pipeline-name').textContent()).toBe('Shell renamed');
    expect((await api('/api/pipelines/shell-test')).body.pipeline?.document.name).toBe('Shell renamed');

    // Duplicate, then delete the copy (after a confirm).
    await row.getByRole('button', { name: 'Duplicate' }).click();
    const copy = page.getByTestId('pipeline-shell-test-copy');
    await expect.poll(async () => (await copy.count()) && copy.locator('.pipeline-name').textContent()).toBe('Shell renamed (copy)');
    answer(page, true);
    await copy.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => copy.count()).toBe(0);
    expect((await api('/api/pipelines/shell-test-copy')).status).toBe(404);

    // An invalid paste: nothing is created, the reason is shown.
    const before = ((await api('/api/pipelines')).body.pipelines as unknown[]).length;
    await paste(page, '{\n  "format": "sluice/v1",\n  nodes: []\n}');
    await expect
      .poll(async () => (await page.getByTestId('import-errors').textContent()) ?? '')
      .toContain('malformed JSON at line 3, column 3');
    await paste(page, '{"format": "sluice/v1", "name": "x", "nodes": "none", "edges": []}');
    await expect.poll(async () => (await page.getByTestId('import-errors').textContent()) ?? '').toContain('nodes');
    expect(((await api('/api/pipelines')).body.pipelines as unknown[]).length).toBe(before);

    // A valid paste imports it as a new pipeline.
    await paste(page, JSON.stringify(orders('pasted-orders', 'Pasted orders'), null, 2));
    const pasted = page.getByTestId('pipeline-pasted-orders');
    await pasted.waitFor();
    expect(await pasted.locator('td').nth(2).textContent()).toBe('2');
    expect(await page.getByTestId('import-errors').count()).toBe(0);
    expect((await api('/api/pipelines/pasted-orders')).body.pipeline?.document.nodes.map((n) => n.id)).toEqual(['gen', 'out']);
    await page.screenshot({ path: join(SHOTS, 'pipelines.png') });

    // On the canvas a pasted document replaces what is there, after a confirm, and autosaves.
    await pasted.getByRole('link', { name: 'Open' }).click();
    await page.getByTestId('node-gen').waitFor();
    answer(page, true);
    await paste(
      page,
      JSON.stringify(
        orders('whatever', 'Pasted orders', [
          { id: 'gen2', type: 'source.generator', position: { x: 0, y: 200 }, config: { scenario: 'orders', rate: 5 } },
        ]),
      ),
    );
    await page.getByTestId('node-gen2').waitFor();
    await expect
      .poll(async () => (await api('/api/pipelines/pasted-orders')).body.pipeline?.document.nodes.map((n) => n.id), { timeout: 10_000 })
      .toEqual(['gen', 'out', 'gen2']);

    // Copied nodes still paste as nodes (fresh ids), not as a document.
    await page.getByTestId('node-gen2').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.getByTestId('node-gen2_copy').waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.react-flow__node').count()).toBe(4);
    await page.close();
  }, 90_000);

  it('history: two saves, the diff shows the changed line, rolling back restores the old value and is in the audit log', async () => {
    const doc = {
      format: 'sluice/v1',
      id: 'hist',
      name: 'History test',
      nodes: [
        { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 10 } },
        { id: 'big', type: 'filter', position: { x: 300, y: 0 }, config: { expression: 'quantity > 5' } },
        { id: 'out', type: 'sink.console', position: { x: 600, y: 0 }, config: {} },
      ],
      edges: [
        { id: 'e1', source: 'gen', target: 'big' },
        { id: 'e2', source: 'big', target: 'out' },
      ],
    };
    expect((await api('/api/pipelines', { method: 'POST', body: JSON.stringify(doc) })).status).toBe(201);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const expression = async () =>
      (await api('/api/pipelines/hist')).body.pipeline?.document.nodes.find((n) => n.id === 'big')?.config.expression;
    const version = async () => (await api('/api/pipelines/hist/versions')).body.current;

    // An edit autosaves as a draft (version 2); Ctrl+S makes the next version (issue 13, defect
    // 16: autosaves no longer add a version each).
    await page.goto(`${base}/#/p/hist`);
    await page.getByTestId('node-big').click();
    await page.getByLabel('config.expression').fill('quantity > 7');
    await expect.poll(version, { timeout: 10_000 }).toBe(2);
    await page.getByLabel('config.expression').fill('quantity > 9');
    await page.keyboard.press('Control+s');
    await expect.poll(version, { timeout: 10_000 }).toBe(3);

    // The history page compares the last two versions first.
    await page.getByRole('link', { name: 'History' }).click();
    await page.waitForURL(/#\/p\/hist\/history$/);
    const summary = page.getByTestId('diff-summary');
    await expect
      .poll(async () => (await summary.count()) && summary.textContent())
      .toBe('big: config.expression quantity > 7 -> quantity > 9');
    // Any two: versions 1 and 3.
    await page.getByLabel('Compare version 1').check();
    await expect.poll(async () => page.getByTestId('diff').locator('h2').textContent()).toBe('Changes from version 1 to 3');
    expect(await summary.textContent()).toBe('big: config.expression quantity > 5 -> quantity > 9');
    expect(await page.getByTestId('diff-nodes').textContent()).toContain('quantity > 5');

    // Roll back to version 1 (after a confirm): a new version 4 holding version 1's value.
    answer(page, true);
    await page.getByTestId('version-1').getByRole('button', { name: 'Roll back to this version' }).click();
    await expect.poll(version, { timeout: 10_000 }).toBe(4);
    expect(await expression()).toBe('quantity > 5');
    await page.getByTestId('version-4').waitFor();
    expect(await page.getByTestId('version-4').locator('td').nth(4).textContent()).toBe('rollback');
    await expect
      .poll(async () => (await summary.count()) && summary.textContent())
      .toBe('big: config.expression quantity > 9 -> quantity > 5');
    await expect
      .poll(async () => (await page.getByTestId('audit').count()) && page.getByTestId('audit').textContent())
      .toContain('rollback');
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });

    // The whole audit log, filtered to this pipeline.
    await page.goto(`${base}/#/audit`);
    await page.getByLabel('Filter by pipeline').selectOption('hist');
    await page.waitForURL(/#\/audit\?pipeline=hist$/);
    await expect
      .poll(async () => (await page.getByTestId('audit').count()) && page.getByTestId('audit').locator('tbody tr').count())
      .toBeGreaterThanOrEqual(4);
    const pipelinesShown = await page.getByTestId('audit').locator('tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(pipelinesShown)).toEqual(new Set(['hist']));
    await page.close();
  }, 90_000);

  it('check connection: a connector node says what it reaches, and an unsaved unreachable url fails naming it', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const doc = {
      format: 'sluice/v1',
      id: 'feed',
      name: 'Feed',
      nodes: [
        {
          id: 'alerts',
          type: 'sink.redis-stream',
          position: { x: 300, y: 0 },
          config: { url: redisUrl, stream: `sluice-e2e-check-${Date.now()}` },
        },
        { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 10 } },
      ],
      edges: [{ id: 'e1', source: 'gen', target: 'alerts' }],
    };
    expect((await api('/api/pipelines', { method: 'POST', body: JSON.stringify(doc) })).status).toBe(201);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base}/#/p/feed`);
    await page.getByTestId('node-alerts').click();
    const check = page.getByRole('button', { name: 'Check connection' });
    await check.click();
    const result = page.getByTestId('connection-check-result');
    await expect
      .poll(() => result.textContent(), { timeout: 15_000 })
      .toMatch(/^connected to redis:\/\/127\.0\.0\.1:6379.*stream sluice-e2e-check-\d+ does not exist yet/);
    expect(await result.getAttribute('class')).toBe('check-ok');
    // An unreachable url, typed and not yet saved: the check uses what the form holds.
    await page.getByLabel('config.url', { exact: true }).fill('redis://127.0.0.1:1/0');
    await check.click();
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/redis:\/\/127\.0\.0\.1:1\/0/);
    expect(await result.getAttribute('class')).toBe('field-error');
    // A node without a connection has no button.
    await page.getByTestId('node-gen').click();
    expect(await page.getByRole('button', { name: 'Check connection' }).count()).toBe(0);
    await page.close();
  }, 90_000);

  it('sign-in: a 401 leads to the sign-in page; a bad token is refused; a viewer sees a read-only canvas and signs out; a business user lands on the business page', async () => {
    const dataDir = tmp('auth');
    const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
    const viewer = await tokens.add('vic', 'viewer');
    const business = await tokens.add('bea', 'business');
    const authed = await startServer({ port: 0, host: '127.0.0.1', dataDir, editorDist: DIST, tokens, log: () => undefined });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const at = `http://127.0.0.1:${authed.port}`;
      await page.goto(`${at}/#/p/fraud`);
      await page.getByTestId('signin-page').waitFor();
      expect(page.url()).toContain('#/signin?next=');

      await page.getByLabel('Token').fill('sluice_not-a-real-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(async () => (await page.getByTestId('signin-error').count()) && page.getByTestId('signin-error').textContent())
        .toContain('not valid');

      // Signed in, back where the 401 interrupted: the canvas, read-only.
      await page.getByLabel('Token').fill(viewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/#\/p\/fraud$/);
      await page.getByTestId('node-per_card').waitFor();
      expect(await page.getByTestId('who').textContent()).toMatch(/^vic\s*viewer/);
      await page.getByTestId('read-only').waitFor();
      expect(await page.getByRole('button', { name: 'Deploy' }).count()).toBe(0);
      expect(await page.locator('.palette').count()).toBe(0);
      // Edits are refused: the form is disabled and Delete leaves the node where it is.
      await page.getByTestId('node-per_card').click();
      expect(await page.getByLabel('label', { exact: true }).isDisabled()).toBe(true);
      await page.keyboard.press('Delete');
      expect(await page.getByTestId('node-per_card').count()).toBe(1);

      // The pipelines page offers nothing that changes a pipeline.
      await page.getByRole('link', { name: 'Pipelines', exact: true }).click();
      await page.getByTestId('pipeline-fraud').waitFor();
      expect(await page.getByRole('button', { name: 'New pipeline' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('signin-page').waitFor();
      await page.goto(`${at}/#/`);
      await page.getByTestId('signin-page').waitFor();

      // A business user opening a pipeline lands on its business page, never on the graph.
      await page.getByLabel('Token').fill(business);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('pipeline-fraud').waitFor();
      expect(await page.getByRole('button', { name: 'New pipeline' }).count()).toBe(0);
      await page.getByTestId('pipeline-fraud').getByRole('link', { name: 'Open' }).click();
      await page.waitForURL(/#\/p\/fraud\/business$/);
      await page.getByTestId('business-page').waitFor();
      await page.goto(`${at}/#/p/fraud`);
      await page.waitForURL(/#\/p\/fraud\/business$/);
      expect(await page.getByTestId('canvas').count()).toBe(0);
    } finally {
      await page.close();
      await authed.close();
    }
  }, 90_000);
});
