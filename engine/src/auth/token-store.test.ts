/** Tokens at rest (hashes only), from the file and the environment, the CLI, and the binding rule at start. */
import { tempFolders } from '@sluice/nodes/testing';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../cli/serve-command.js';
import { tokenCommand } from '../cli/token-command.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import { BindingRefused, checkBinding } from './binding.js';
import { hashToken, parseEnvTokens, TokenConfigError, TokenStore, tokenStoreFor } from './token-store.js';

const tmp = tempFolders('sluice-tokens-');

describe('TokenStore', () => {
  it('stores only the hash: the file never contains the token; verify finds the entry by it', async () => {
    const file = join(tmp(), 'tokens.json');
    const store = new TokenStore({ file });
    const token = await store.add('ana', 'business');
    expect(token).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(7, 30));
    expect(JSON.parse(text).tokens).toEqual([{ name: 'ana', role: 'business', hash: hashToken(token), createdAt: expect.any(String) }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(store.verify(token)).toMatchObject({ name: 'ana', role: 'business' });
    expect(store.verify(`${token}x`)).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('refuses duplicate names, bad names and roles; revokes by name', async () => {
    const store = new TokenStore({ file: join(tmp(), 'tokens.json') });
    await store.add('ana', 'viewer');
    await expect(store.add('ana', 'admin')).rejects.toThrow('a token named "ana" exists already');
    await expect(store.add('has space', 'admin')).rejects.toThrow(TokenConfigError);
    await expect(store.add('bo', 'root' as never)).rejects.toThrow('roles are admin, editor, business, viewer');
    expect(await store.revoke('nobody')).toBe(false);
    expect(await store.revoke('ana')).toBe(true);
    expect(store.list()).toEqual([]);
  });

  it('a running server sees tokens added and revoked by another process (the file is re-read when it changes)', async () => {
    const file = join(tmp(), 'tokens.json');
    const server = new TokenStore({ file });
    const cli = new TokenStore({ file });
    const token = await cli.add('late', 'editor');
    // The server re-checks the file at most once a second: wait for it, bounded.
    await vi.waitFor(() => expect(server.verify(token)?.name).toBe('late'), { timeout: 10_000 });
    await cli.revoke('late');
    await vi.waitFor(() => expect(server.verify(token)).toBeUndefined(), { timeout: 10_000 });
  });

  it('reads SLUICE_TOKENS entries (name:role:sha256:hex), which cannot be revoked from the file', async () => {
    const token = 'sluice_from-env';
    const store = new TokenStore({ file: join(tmp(), 'tokens.json'), env: `ci:editor:${hashToken(token)}` });
    expect(store.verify(token)).toMatchObject({ name: 'ci', role: 'editor', source: 'env' });
    await expect(store.revoke('ci')).rejects.toThrow('defined in SLUICE_TOKENS');
    expect(() => parseEnvTokens(`ci:editor:${token}`)).toThrow('never the token itself');
    expect(() => parseEnvTokens(`ci:boss:${hashToken(token)}`)).toThrow('the role must be one of');
  });

  it('a tokens file holding a plain token instead of a hash is refused, naming the entry', () => {
    const file = join(tmp(), 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'x', role: 'admin', hash: 'sluice_abc' }] }));
    expect(() => new TokenStore({ file })).toThrow(`${file}: tokens[0].hash must be sha256:<64 hex digits>`);
  });

  it('SLUICE_TOKENS_FILE moves the file', () => {
    const file = join(tmp(), 'elsewhere.json');
    expect(tokenStoreFor('/nowhere', { SLUICE_TOKENS_FILE: file }).file).toBe(file);
    expect(tokenStoreFor('/data', {}).file).toBe('/data/tokens.json');
  });
});

describe('sluice token', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    let out = '';
    let err = '';
    const code = await tokenCommand(args, { out: (t) => (out += t), err: (t) => (err += t), env });
    return { code, out, err };
  };

  it('add prints the token once (stdout) and stores its hash; list shows names and roles; revoke removes', async () => {
    const dir = tmp();
    const add = await run(['add', '--name', 'ana', '--role', 'business', '--data', dir]);
    expect(add.code).toBe(0);
    const token = add.out.trim();
    expect(token).toMatch(/^sluice_/);
    expect(add.err).toContain('shown only this once');
    expect(readFileSync(join(dir, 'tokens.json'), 'utf8')).not.toContain(token);
    expect(new TokenStore({ file: join(dir, 'tokens.json') }).verify(token)?.role).toBe('business');
    const list = await run(['list'], { SLUICE_DATA_DIR: dir });
    expect(list.out).toMatch(/^ana\tbusiness\t\d{4}-/);
    expect(list.out).not.toContain(token);
    expect((await run(['revoke', 'ana', '--data', dir])).code).toBe(0);
    expect((await run(['revoke', 'ana', '--data', dir])).err).toContain('no token named "ana"');
  });

  it('add --env stores nothing and prints a SLUICE_TOKENS entry; usage errors exit 2', async () => {
    const dir = tmp();
    const r = await run(['add', '--name', 'ci', '--role', 'editor', '--env', '--data', dir]);
    const token = r.out.trim();
    const entry = r.err.trim().split('\n').pop()!;
    expect(entry).toBe(`ci:editor:${hashToken(token)}`);
    expect(new TokenStore({ file: join(dir, 'tokens.json'), env: entry }).verify(token)?.name).toBe('ci');
    expect(new TokenStore({ file: join(dir, 'tokens.json') }).list()).toEqual([]);
    expect((await run(['add', '--name', 'x', '--role', 'god', '--data', dir])).code).toBe(2);
    expect((await run(['add', '--role', 'viewer'])).err).toContain('add needs --name and --role');
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('binding', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('refuses to start on 0.0.0.0 without tokens, naming the fix; loopback is fine and says local-only', async () => {
    const dataDir = join(tmp(), 'data');
    const emptyExamples = tmp();
    const log: string[] = [];
    const base = { port: 0, dataDir, examplesDir: emptyExamples, editorDist: emptyExamples, log: (l: string) => log.push(l) };
    await expect(startServer({ ...base, host: '0.0.0.0' })).rejects.toThrow(BindingRefused);
    await expect(startServer({ ...base, host: '0.0.0.0' })).rejects.toThrow(
      /no API tokens are configured.*sluice token add --name admin --role admin/,
    );
    const s = await startServer({ ...base, host: '127.0.0.1' });
    servers.push(s);
    expect(log.join('\n')).toContain('no API tokens configured: local-only mode on 127.0.0.1');
  });

  it('with a token it binds anywhere and asks for it', async () => {
    const dataDir = join(tmp(), 'data');
    const empty = tmp();
    const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
    const token = await tokens.add('ops', 'viewer');
    const log: string[] = [];
    const s = await startServer({ port: 0, host: '0.0.0.0', dataDir, examplesDir: empty, editorDist: empty, log: (l) => log.push(l) });
    servers.push(s);
    expect(log.join('\n')).toContain('authentication on: 1 API token');
    expect((await fetch(`http://127.0.0.1:${s.port}/api/pipelines`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${s.port}/api/pipelines`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status).toBe(200);
  });

  it('sluice serve on 0.0.0.0 without tokens exits 2 with the reason, before listening', async () => {
    const saved = { ...process.env };
    const written: string[] = [];
    const write = process.stderr.write;
    process.env.SLUICE_DATA_DIR = tmp();
    delete process.env.SLUICE_TOKENS;
    delete process.env.SLUICE_TOKENS_FILE;
    process.stderr.write = ((t: string) => written.push(t) > 0) as unknown as typeof process.stderr.write;
    try {
      expect(await serveCommand(['--host', '0.0.0.0', '--port', '0'])).toBe(2);
    } finally {
      process.stderr.write = write;
      process.env = saved;
    }
    expect(written.join('')).toMatch(/^sluice serve: refusing to bind 0\.0\.0\.0 without authentication/);
  });

  it('loopback spellings', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '[::1]', 'LOCALHOST']) expect(() => checkBinding(host, 0, 'f')).not.toThrow();
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) expect(() => checkBinding(host, 0, 'f')).toThrow(BindingRefused);
    expect(() => checkBinding('0.0.0.0', 1, 'f')).not.toThrow();
  });
});
