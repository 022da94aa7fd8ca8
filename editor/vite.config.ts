import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/** Where the API listens (`SLUICE_API` to point the dev server elsewhere). */
const API = process.env.SLUICE_API ?? `http://127.0.0.1:${process.env.PORT || '8080'}`;

/**
 * The API refuses a change whose Origin is not its own (docs/auth.md "Cross-site requests"), and
 * the editor's pages come from Vite's origin. The proxy rewrites that Origin, and only that one:
 * a page elsewhere keeps its own and is still refused.
 */
const toApi: ProxyOptions = {
  target: API,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on('proxyReq', (proxyReq, req) => {
      const origin = req.headers.origin;
      if (origin !== undefined && URL.canParse(origin) && new URL(origin).host === req.headers.host) proxyReq.setHeader('origin', API);
    });
  },
};

// `pnpm dev` runs Vite with HMR against the API on PORT (8080, as `sluice serve`); `vite build`
// writes dist/, which the server serves.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': toApi, '/metrics': toApi } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
