// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the client secret is configured as a ${env:NAME} reference, written as operators write it
/**
 * `sluice serve` refuses to start, with one line naming the fix, on a half or unreadable TLS
 * configuration and on an OpenID Connect secret given as itself: never a server that quietly
 * runs plain http, or keeps a secret where it would be copied around.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '@sluice/nodes/testing';

const tmpRefusal = tempFolders('sluice-refusal-');

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

function serve(env: Record<string, string>, ...args: string[]) {
  const dataDir = tmpRefusal();
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, SLUICE_DATA_DIR: dataDir, ...env },
  });
  return { code: r.status, stderr: r.stderr };
}

describe('sluice serve refuses a broken TLS or OpenID Connect configuration', () => {
  it('a certificate without its key', () => {
    expect(serve({}, '--tls-cert', '/nowhere/cert.pem')).toEqual({
      code: 2,
      stderr: 'sluice serve: TLS_CERT and TLS_KEY (or --tls-cert and --tls-key) go together: give both files, or neither\n',
    });
  });

  it('a certificate file that cannot be read', () => {
    const r = serve({ TLS_CERT: '/nowhere/cert.pem', TLS_KEY: '/nowhere/key.pem' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sluice serve: TLS_CERT \/nowhere\/cert\.pem cannot be read: ENOENT/);
  });

  it('a client secret given as itself, not as a reference (and the secret is not echoed)', () => {
    const r = serve({
      SLUICE_OIDC_ISSUER: 'https://login.example.com',
      SLUICE_OIDC_CLIENT_ID: 'sluice',
      SLUICE_PUBLIC_URL: 'https://sluice.example.com',
      SLUICE_OIDC_CLIENT_SECRET: 'plain-secret-value',
    });
    expect(r).toEqual({
      code: 2,
      stderr:
        'sluice serve: SLUICE_OIDC_CLIENT_SECRET must be a reference such as ${env:OIDC_CLIENT_SECRET}, naming the variable that holds the secret\n',
    });
  });
});
