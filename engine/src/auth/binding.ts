/**
 * The binding rule: without API tokens the server is local-only (every caller is an admin), so
 * it listens on loopback alone; another address needs tokens configured first.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

export class BindingRefused extends Error {
  override name = 'BindingRefused';
}

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(
    host
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1'),
  );
}

/**
 * HOST as given -> the address to listen on: spaces trimmed, `[::1]` unbracketed (the URL form
 * Node's listen() does not take). Throws on what is left that cannot be an address.
 */
export function bindAddress(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (h === '' || /[\s[\]/]/.test(h))
    throw new BindingRefused(`HOST ${JSON.stringify(host)} is not an address to listen on; use e.g. 127.0.0.1, ::1 or 0.0.0.0`);
  return h;
}

/** 0.0.0.0 and :: listen everywhere: they name no Host a browser would send. */
export function isWildcard(host: string): boolean {
  return ['0.0.0.0', '::', '*'].includes(host.trim().replace(/^\[(.*)\]$/, '$1'));
}

/** Throws (naming the fix) when `host` is not loopback and there is no way to sign in: no token, no OpenID Connect. */
export function checkBinding(host: string, tokenCount: number, tokensFile: string, oidc = false): void {
  if (tokenCount > 0 || oidc || isLoopback(host)) return;
  throw new BindingRefused(
    `refusing to bind ${host} without authentication: no API tokens are configured, so every caller would be an admin. ` +
      `Create one first (sluice token add --name admin --role admin; stored in ${tokensFile}, or set SLUICE_TOKENS), or bind 127.0.0.1.`,
  );
}

/** The line logged at start: who can reach the server, and how. */
export function modeLine(host: string, tokenCount: number, oidc = false): string {
  if (oidc) return `authentication on: OpenID Connect sign-in and ${tokenCount} API token${tokenCount === 1 ? '' : 's'}`;
  if (tokenCount === 0)
    return `no API tokens configured: local-only mode on ${host}, every caller is an admin (sluice token add to enable sign-in)`;
  return `authentication on: ${tokenCount} API token${tokenCount === 1 ? '' : 's'}; requests need a bearer token or a session cookie`;
}
