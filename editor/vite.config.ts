import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm dev` runs Vite with HMR against the API on :8080; `vite build` writes dist/, which the server serves.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
