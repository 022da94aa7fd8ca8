/**
 * The built editor (editor/dist) as static files, with the single-page-app fallback: any other
 * GET that is not an API path gets index.html, so a reload on a client-side route works.
 */
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';

/** Paths that belong to the server: never answered with the editor's index.html. */
const SERVER_PATHS = /^\/(api\/|api$|metrics$|healthz$|readyz$)/;

export function mountEditor(app: Hono, editorDist: string): void {
  app.use(
    '/*',
    serveStatic({
      root: editorDist,
      onFound: (path, c) => {
        // Vite fingerprints everything under assets/: cache it for good.
        if (path.includes('/assets/')) c.header('cache-control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  const index = serveStatic({ path: join(editorDist, 'index.html') });
  app.get('*', (c, next) => (SERVER_PATHS.test(c.req.path) ? next() : index(c, next)));
}
