/**
 * What the hostile-request tables share (hostile-requests.test.ts): the shape of a case, the
 * documents and headers they send, and the cross-site case maker.
 */
import { DEFAULT_MAX_BODY_BYTES } from '@sluice/engine';
import { generatorDoc } from '@sluice/engine/testing';

export interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  /** Send the body as a Blob with no type: the request then has no content-type at all. */
  typeless?: true;
  headers?: Record<string, string>;
  /** Scheme and authority the request is addressed to (the Host header); default the server's own. */
  base?: string;
  /** Run against the token-mode app as this role's bearer token or signed-in cookie. */
  tokens?: 'bearer' | 'cookie';
  status: number;
  /** Error code, when the answer is an error. */
  code?: string;
  /** A fragment the answer's text must hold (the reason, a diagnostic). */
  says?: string;
}

export const OWN = 'http://127.0.0.1:8080';
export const JSON_TYPE = { 'content-type': 'application/json' };
export const EVIL = { origin: 'http://evil.example', ...JSON_TYPE };
export const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
export const doc = JSON.stringify(generatorDoc());
export const deepDoc = doc.replace(/}$/, `,"extra":${arrays(100_000)}}`);
export const oversize = JSON.stringify({ ...generatorDoc(), description: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) });
export const withParam = (name: string) =>
  JSON.stringify({ ...generatorDoc(`p-${name.replace(/_/g, '')}`), params: { [name]: { type: 'number', value: 1 } } });

export const crossSite = (method: string, path: string, body?: string): Case => ({
  name: `cross-site Origin: ${method} ${path}`,
  method,
  path,
  ...(body === undefined ? {} : { body }),
  headers: EVIL,
  status: 403,
  code: 'cross-origin',
  says: 'origin \\"http://evil.example\\"',
});
