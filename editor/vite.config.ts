import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm dev` runs Vite with HMR against the API on PORT (8080, as `sluice serve`); `vite build`
// writes dist/, which the server serves.
const api = `http://127.0.0.1:${process.env.PORT || '8080'}`;

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': api, '/metrics': api } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
