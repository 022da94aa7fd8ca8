/* biome-ignore-all lint/suspicious/noThenProperty: the agreed rules config shape calls a row's outputs `then` */
/** Shared by the auth tests: tokens for every role, an app that needs them, a pricing document. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@sluice/shared';
import { type TestApi, testApi } from '../api/test-support.js';
import { Authenticator } from './authenticator.js';
import { TokenStore } from './token-store.js';

export interface AuthTestApi extends TestApi {
  tokens: TokenStore;
  /** The secret of each role's token (names: ada admin, ed editor, bea business, vic viewer). */
  secret: Record<Role, string>;
  /** A call with a role's bearer token, or none. */
  as(
    who: Role | 'none' | 'bad',
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): ReturnType<TestApi['call']>;
}

export const NAMES: Record<Role, string> = { admin: 'ada', editor: 'ed', business: 'bea', viewer: 'vic' };

/** `failuresPerMinute`: the sign-in limit; high by default, so tables of bad tokens are not cut short by it. */
export async function authTestApi(o: { failuresPerMinute?: number; log?: (line: string) => void } = {}): Promise<AuthTestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-auth-'));
  const tokens = new TokenStore({ file: join(dir, 'tokens.json') });
  const secret = {} as Record<Role, string>;
  for (const role of ['admin', 'editor', 'business', 'viewer'] as const) secret[role] = await tokens.add(NAMES[role], role);
  // The tokens file in the app's data folder, as a server keeps it: removed with it by closeTestApis.
  const api = testApi({
    dataDir: dir,
    auth: new Authenticator({ tokens, failuresPerMinute: o.failuresPerMinute ?? 100_000 }),
    ...(o.log ? { log: o.log } : {}),
  });
  const as: AuthTestApi['as'] = (who, method, path, body, headers = {}) => {
    const auth: Record<string, string> =
      who === 'none' ? {} : { authorization: `Bearer ${who === 'bad' ? 'sluice_not-a-real-token' : secret[who]}` };
    return api.call(method, path, body, { ...auth, ...headers });
  };
  return { ...api, tokens, secret, as };
}

/** Dynamic pricing: one exposed param with bounds, one internal; an exposed and an internal rule table. */
export function pricingDoc() {
  return {
    format: 'sluice/v1' as const,
    id: 'pricing',
    name: 'Dynamic pricing',
    params: {
      surge: { type: 'number' as const, value: 50, exposed: true, min: 0, max: 100, label: 'Surge threshold' },
      fee: { type: 'number' as const, value: 2 },
    },
    nodes: [
      { id: 'orders', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 1000, seed: 1, count: 200 } },
      {
        id: 'adjust',
        type: 'rules',
        position: { x: 200, y: 0 },
        config: {
          exposed: true,
          hitPolicy: 'first',
          inputs: [{ id: 'qty', label: 'Quantity', expression: 'quantity' }],
          outputs: [{ id: 'adjust_pct', label: 'Change', unit: '%' }],
          rows: [{ when: { qty: { op: '>', value: 5 } }, then: { adjust_pct: 8 } }],
          default: { adjust_pct: 0 },
        },
      },
      {
        id: 'risk',
        type: 'rules',
        position: { x: 400, y: 0 },
        config: {
          exposed: false,
          hitPolicy: 'first',
          inputs: [{ id: 'qty', expression: 'quantity' }],
          outputs: [{ id: 'risk' }],
          rows: [{ when: { qty: { op: '>', value: 50 } }, then: { risk: 'high' } }],
          default: { risk: 'low' },
        },
      },
      {
        id: 'price',
        type: 'map',
        position: { x: 600, y: 0 },
        config: { set: { price: 'quantity * (100 + adjust_pct) / 100 + params.fee + params.surge * 0' } },
      },
      { id: 'out', type: 'sink.file', position: { x: 800, y: 0 }, config: { path: 'prices.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'adjust' },
      { id: 'e2', source: 'adjust', target: 'risk' },
      { id: 'e3', source: 'risk', target: 'price' },
      { id: 'e4', source: 'price', target: 'out' },
    ],
  };
}
