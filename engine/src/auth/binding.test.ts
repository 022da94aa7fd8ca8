/** HOST as people write it (issue 10 item 11): " 127.0.0.1" and "[::1]" passed the check, then crashed listen(). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../server/start-server.js';
import { BindingRefused, bindAddress, checkBinding, isWildcard, modeLine } from './binding.js';

describe('bindAddress', () => {
  it('trims spaces and unbrackets IPv6, refuses what cannot be an address', () => {
    expect(bindAddress(' 127.0.0.1 ')).toBe('127.0.0.1');
    expect(bindAddress('[::1]')).toBe('::1');
    expect(bindAddress('::1')).toBe('::1');
    expect(() => bindAddress('127.0.0.1 evil')).toThrow(BindingRefused);
    expect(() => bindAddress('  ')).toThrow('HOST "  " is not an address to listen on');
    expect(isWildcard('0.0.0.0') && isWildcard('[::]') && !isWildcard('::1')).toBe(true);
  });

  it('a server started with HOST "[::1]" or " 127.0.0.1" listens there and answers', async () => {
    for (const [host, base] of [
      ['[::1]', 'http://[::1]'],
      [' 127.0.0.1', 'http://127.0.0.1'],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-bind-'));
      const server = await startServer({
        port: 0,
        host,
        dataDir: join(dir, 'data'),
        examplesDir: join(dir, 'none'),
        editorDist: join(dir, 'none'),
        log: () => {},
      });
      try {
        expect(server.url).toBe(`${base}:${server.port}`);
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('OpenID Connect sign-in is a way in: a server with it may bind beyond loopback without tokens', () => {
    expect(() => checkBinding('0.0.0.0', 0, 'data/tokens.json')).toThrow(BindingRefused);
    expect(() => checkBinding('0.0.0.0', 0, 'data/tokens.json', true)).not.toThrow();
    expect(modeLine('0.0.0.0', 0, true)).toBe('authentication on: OpenID Connect sign-in and 0 API tokens');
  });
});
