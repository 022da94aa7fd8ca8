import { afterEach, describe, expect, it, vi } from 'vitest';

interface DevConfig {
  server: { proxy: Record<string, { target: string }> };
}

/** The config as `pnpm dev` reads it, with PORT as given (a fresh module each time). */
async function devConfig(port: string | undefined): Promise<DevConfig> {
  vi.resetModules();
  if (port === undefined) vi.stubEnv('PORT', '');
  else vi.stubEnv('PORT', port);
  return (await import('../vite.config.js')).default as DevConfig;
}

afterEach(() => vi.unstubAllEnvs());

describe('pnpm dev', () => {
  it('proxies the API to the server on PORT, as `sluice serve` listens', async () => {
    const proxy = (await devConfig('9123')).server.proxy;
    expect(proxy['/api']?.target).toBe('http://127.0.0.1:9123');
    expect(proxy['/metrics']?.target).toBe('http://127.0.0.1:9123');
  });

  it('defaults to 8080 without PORT', async () => {
    expect((await devConfig(undefined)).server.proxy['/api']?.target).toBe('http://127.0.0.1:8080');
  });
});
