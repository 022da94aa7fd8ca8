/**
 * A server on an editor build of its own and Chromium, for one browser test file: other browser
 * tests build editor/dist at the same time, so a file that builds its own folder never serves
 * half-written files. The fields are set before the file's tests run.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '@sluice/engine';
import { launchBrowser } from './browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface OwnBuildSession {
  base: string;
  browser: Browser;
}

export function ownBuildSession(name: string): OwnBuildSession {
  const dist = mkdtempSync(join(tmpdir(), `sluice-${name}-dist-`));
  const session = {} as OwnBuildSession;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  beforeAll(async () => {
    execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${dist} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: mkdtempSync(join(tmpdir(), `sluice-${name}-`)),
      editorDist: dist,
      log: () => undefined,
    });
    session.base = `http://127.0.0.1:${server.port}`;
    session.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await session.browser?.close();
    await server?.close();
  });
  return session;
}
