/** A built editor, a real server and Debian's Chromium for the canvas tests; helpers to drive the canvas. */
import { execSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { startServer } from '@sluice/engine';
import { launchBrowser } from './browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface CanvasSession {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export interface CanvasSessionOptions {
  /**
   * The examples in their live form, as `pnpm start` serves them, from a copy of examples/
   * (a running example writes its output beside its document).
   */
  liveExamples?: boolean;
}

export async function startCanvasSession(options: CanvasSessionOptions = {}): Promise<CanvasSession> {
  execSync('pnpm --filter @sluice/editor build', { cwd: ROOT, stdio: 'ignore' });
  const port = 18_000 + Math.floor(Math.random() * 2000);
  let examples = {};
  // Folders the session makes, removed when it closes: a test leaves nothing behind.
  const made: string[] = [];
  if (options.liveExamples) {
    const examplesDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-examples-'));
    made.push(examplesDir);
    cpSync(join(ROOT, 'examples'), examplesDir, {
      recursive: true,
      filter: (src) => !src.endsWith('/out') && !src.includes('node_modules'),
    });
    examples = { examplesDir, liveExamples: true };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  made.push(dataDir);
  const removeMade = () => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  };
  const server = await startServer({
    port,
    host: '127.0.0.1',
    dataDir,
    ...examples,
    log: () => undefined,
  });
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await server.close();
    removeMade();
    throw err;
  });
  return {
    base: `http://127.0.0.1:${port}`,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      removeMade();
    },
  };
}

/** One session for the tests of a file: started before them, closed after. */
export function canvasSessionForFile(options: CanvasSessionOptions = {}): { get(): CanvasSession } {
  let session: CanvasSession | undefined;
  beforeAll(async () => {
    session = await startCanvasSession(options);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });
  return {
    get: () => {
      if (!session) throw new Error('the canvas session did not start');
      return session;
    },
  };
}

export { connect } from './canvas-drag.js';

/** The stored document of a pipeline, as the server has it. */
export async function storedDocument(base: string, id: string): Promise<PipelineDocument> {
  const r = await fetch(`${base}/api/pipelines/${id}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { pipeline: { document: PipelineDocument } }).pipeline.document;
}

/** The ids of the nodes the canvas shows (drawn and visible) and the edges it draws, sorted. */
export async function drawn(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  // No named functions inside: the page gets this function's text, without the helpers a transpiler may add.
  return page.evaluate(() => ({
    nodes: Array.from(document.querySelectorAll('.react-flow__node'))
      .filter((el) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => el.getAttribute('data-id') ?? '')
      .sort(),
    edges: Array.from(document.querySelectorAll('.react-flow__edge'))
      .filter((el) => (el.querySelector('path')?.getAttribute('d') ?? '') !== '')
      .map((el) => el.getAttribute('data-id') ?? '')
      .sort(),
  }));
}

/**
 * Selects two nodes as a user does: a click, then a Ctrl+click (or Shift+click). The first click opens the node's
 * panel; a Ctrl+click while that is still being drawn can be lost on a loaded machine, so the
 * second click waits for it, as a person looking at the screen does.
 */
export async function selectTwo(page: Page, first: string, second: string, modifier: 'Control' | 'Shift' = 'Control'): Promise<void> {
  await page.getByTestId(`node-${first}`).click();
  await page.getByRole('complementary', { name: `Node ${first}` }).waitFor();
  await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
  // The panel narrows the canvas: a node now behind it is brought back into view, as a user would.
  const box = (await page.getByTestId(`node-${second}`).boundingBox())!;
  const hit = await page.evaluate(
    ([x, y]) => document.elementFromPoint(x!, y!)?.closest('.react-flow__node')?.getAttribute('data-id'),
    [box.x + box.width / 2, box.y + box.height / 2],
  );
  if (hit !== second) await page.locator('.react-flow__controls-fitview').click();
  await page.getByTestId(`node-${second}`).click({ modifiers: [modifier] });
  await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(2);
}
