/**
 * A server on an editor build of its own and Chromium, for one browser test file: other browser
 * tests build editor/dist at the same time, so a file that builds its own folder never serves
 * half-written files. The fields are set before the file's tests run.
 */
import { execSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '@sluice/engine';
import { tempFolders } from '@sluice/nodes/testing';
import { launchBrowser } from './browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface OwnBuildSession {
  base: string;
  browser: Browser;
}

export function ownBuildSession(name: string): OwnBuildSession {
  // Registered before the close below, so removed after it (after hooks run in reverse order).
  const folder = tempFolders(`sluice-${name}-`);
  const dist = folder('dist');
  const session = {} as OwnBuildSession;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  beforeAll(async () => {
    execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${dist} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: folder('data'),
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
