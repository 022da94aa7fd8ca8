/** Sign-in sessions, local-only mode, the business guard through the API, and who is recorded. */
import { tempFolders } from '@sluice/nodes/testing';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc, testApi } from '../api/test-support.js';
import { authTestApi, pricingDoc } from './auth-fixtures.js';
import { Authenticator } from './authenticator.js';
import { TokenStore } from './token-store.js';

const authDir = tempFolders('sluice-auth-');

afterEach(closeTestApis);

type Config = Record<string, any>;
const cfg = (d: ReturnType<typeof pricingDoc>, id: string): Config => d.nodes.find((n) => n.id === id)!.config;

describe('sessions', () => {
  it('POST /api/session sets an HttpOnly SameSite=Strict cookie that then works alone; DELETE clears it', async () => {
    const api = await authTestApi();
    const signIn = await api.call('POST', '/api/session', { token: api.secret.editor });
    expect(signIn.status).toBe(200);
    expect(signIn.json).toEqual({ name: 'ed', role: 'editor' });
    const setCookie = signIn.headers.get('set-cookie')!;
    // A session id of its own (256 random bits), never the token.
    expect(setCookie).toMatch(/^sluice_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).not.toContain(api.secret.editor);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Max-Age=604800');
    expect(setCookie).not.toContain('Secure'); // plain http here; https requests get Secure
    const cookie = { cookie: setCookie.split(';')[0]! };
    expect((await api.call('GET', '/api/me', undefined, cookie)).json).toEqual({
      name: 'ed',
      role: 'editor',
      authenticated: true,
      mode: 'tokens',
    });
    expect((await api.call('POST', '/api/pipelines', generatorDoc(), cookie)).status).toBe(201);
    const out = await api.call('DELETE', '/api/session', undefined, cookie);
    expect(out.headers.get('set-cookie')).toMatch(/^sluice_session=; Max-Age=0/);
    // Signed out on the server too: a copy of the cookie no longer works.
    const copied = await api.call('GET', '/api/me', undefined, cookie);
    expect(copied.status).toBe(401);
    expect(copied.json.error.message).toContain('session is not valid');
  });

  it('https requests get a Secure cookie', async () => {
    const api = await authTestApi();
    const res = await api.app.request('https://localhost/api/session', {
      method: 'POST',
      body: JSON.stringify({ token: api.secret.viewer }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });

  it('a bad token signs nobody in; a revoked token stops working, in a cookie too', async () => {
    const api = await authTestApi();
    const bad = await api.call('POST', '/api/session', { token: 'sluice_guess' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect((await api.call('POST', '/api/session', {})).status).toBe(400);
    // The raw token in the cookie (the old scheme) is not a session.
    expect((await api.call('GET', '/api/pipelines', undefined, { cookie: `sluice_session=${api.secret.viewer}` })).status).toBe(401);
    const signIn = await api.call('POST', '/api/session', { token: api.secret.viewer });
    const cookie = { cookie: signIn.headers.get('set-cookie')!.split(';')[0]! };
    expect((await api.call('GET', '/api/pipelines', undefined, cookie)).status).toBe(200);
    await api.tokens.revoke('vic');
    const after = await api.call('GET', '/api/pipelines', undefined, cookie);
    expect(after.status).toBe(401);
    expect(after.json.error.message).toContain('session is not valid');
  });

  it('a bearer header wins over the cookie (a bad header is not rescued by a good cookie)', async () => {
    const api = await authTestApi();
    const adminCookie = (await api.call('POST', '/api/session', { token: api.secret.admin })).headers.get('set-cookie')!.split(';')[0]!;
    const both = { cookie: adminCookie, authorization: `Bearer ${api.secret.viewer}` };
    expect((await api.call('GET', '/api/me', undefined, both)).json.role).toBe('viewer');
    expect((await api.call('GET', '/api/me', undefined, { ...both, authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('the author of a change is the token name, whatever x-sluice-user says', async () => {
    const api = await authTestApi();
    await api.as('editor', 'POST', '/api/pipelines', generatorDoc(), { 'x-sluice-user': 'mallory' });
    await api.as('admin', 'PUT', '/api/pipelines/live', { ...generatorDoc(), name: 'v2' }, { 'x-sluice-user': 'mallory' });
    const versions = (await api.as('viewer', 'GET', '/api/pipelines/live/versions')).json.versions;
    expect(versions.map((v: { author: string }) => v.author)).toEqual(['ed', 'ada']);
  });
});

describe('local-only mode (no tokens)', () => {
  it('everyone is an admin, named by x-sluice-user; signing in is refused as pointless', async () => {
    const api = testApi();
    expect((await api.call('GET', '/api/me')).json).toEqual({ name: 'anonymous', role: 'admin', authenticated: false, mode: 'local' });
    expect((await api.call('GET', '/api/me', undefined, { 'x-sluice-user': 'ana' })).json.name).toBe('ana');
    expect((await api.call('POST', '/api/pipelines', generatorDoc())).status).toBe(201);
    expect((await api.call('GET', '/metrics')).status).toBe(200);
    const signIn = await api.call('POST', '/api/session', { token: 'x' });
    expect(signIn.status).toBe(409);
    expect(signIn.json.error.code).toBe('auth-disabled');
  });

  it('auth turns on when the first token appears, and stays on when the last is revoked', async () => {
    const dir = authDir();
    const tokens = new TokenStore({ file: join(dir, 'tokens.json') });
    const api = testApi({ auth: new Authenticator({ tokens }) });
    expect((await api.call('GET', '/api/pipelines')).status).toBe(200);
    const t = await tokens.add('ops', 'viewer');
    expect((await api.call('GET', '/api/pipelines')).status).toBe(401);
    expect((await api.call('GET', '/api/pipelines', undefined, { authorization: `Bearer ${t}` })).status).toBe(200);
    await tokens.revoke('ops');
    expect(tokens.size).toBe(0);
    expect((await api.call('GET', '/api/pipelines')).status).toBe(401);
  });

  it('required: a server bound beyond loopback lets nobody in while it has no token', async () => {
    const dir = authDir();
    const api = testApi({ auth: new Authenticator({ tokens: new TokenStore({ file: join(dir, 'tokens.json') }), required: true }) });
    expect((await api.call('GET', '/api/pipelines')).status).toBe(401);
    expect((await api.call('GET', '/healthz')).status).toBe(200);
  });
});

describe('business users through the API', () => {
  async function withPricing() {
    const api = await authTestApi();
    expect((await api.as('editor', 'POST', '/api/pipelines', pricingDoc())).json.valid).toBe(true);
    return api;
  }

  it('may save an exposed param value and exposed table rows (a new version, by them)', async () => {
    const api = await withPricing();
    const d = pricingDoc();
    d.params.surge.value = 75;
    cfg(d, 'adjust').rows[0].then.adjust_pct = 10;
    d.nodes[0]!.position = { x: 5, y: 5 };
    const r = await api.as('business', 'PUT', '/api/pipelines/pricing?note=raise', d);
    expect(r.status).toBe(200);
    expect(r.json.pipeline.version).toBe(2);
    const stored = (await api.as('viewer', 'GET', '/api/pipelines/pricing')).json.pipeline;
    expect(stored.document.params.surge.value).toBe(75);
    expect(stored.document.nodes[1].config.rows[0].then.adjust_pct).toBe(10);
    expect((await api.as('viewer', 'GET', '/api/pipelines/pricing/versions')).json.versions[1]).toMatchObject({
      version: 2,
      author: 'bea',
      note: 'raise',
    });
  });

  it('is refused, with the paths named, for an out-of-bounds value, a hidden param, a hidden table, or the graph; nothing is stored', async () => {
    const api = await withPricing();
    const cases: [(d: ReturnType<typeof pricingDoc>) => void, string][] = [
      [(d) => (d.params.surge.value = 500), 'business users may not change params.surge.value (500 is above the maximum 100)'],
      [(d) => (d.params.fee.value = 0), 'business users may not change params.fee.value (the param is not exposed)'],
      [(d) => (cfg(d, 'risk').rows = []), 'business users may not change nodes.risk.config.rows;'],
      [(d) => (cfg(d, 'price').set.price = '0'), 'business users may not change nodes.price.config.set.price;'],
      [(d) => d.edges.pop(), 'business users may not change edges.e4 (removed);'],
    ];
    for (const [change, message] of cases) {
      const d = pricingDoc();
      change(d);
      const r = await api.as('business', 'PUT', '/api/pipelines/pricing', d);
      expect(r.status, message).toBe(403);
      expect(r.json.error.code).toBe('forbidden');
      expect(r.json.error.message).toContain(message);
      expect(r.json.error.details[0].code).toBe('forbidden-change');
    }
    expect((await api.as('viewer', 'GET', '/api/pipelines/pricing')).json.pipeline.version).toBe(1);
    // An editor may make the same changes.
    const d = pricingDoc();
    cfg(d, 'price').set.price = 'quantity';
    expect((await api.as('editor', 'PUT', '/api/pipelines/pricing', d)).status).toBe(200);
  });

  it('may deploy with overrides of exposed params within bounds, and no others', async () => {
    const api = await withPricing();
    const hidden = await api.as('business', 'POST', '/api/pipelines/pricing/deploy', { params: { fee: 0 } });
    expect(hidden.status).toBe(403);
    expect(hidden.json.error.message).toContain('params.fee (the param is not exposed)');
    const out = await api.as('business', 'POST', '/api/pipelines/pricing/deploy', { params: { surge: 101 } });
    expect(out.status).toBe(403);
    expect(out.json.error.message).toContain('params.surge (101 is above the maximum 100)');
    expect(api.deployments.handle('pricing')).toBeUndefined();
    const ok = await api.as('business', 'POST', '/api/pipelines/pricing/deploy', { params: { surge: 80 } });
    expect(ok.status).toBe(200);
    expect(ok.json.deployment).toMatchObject({ params: { surge: 80 }, author: 'bea' });
    // ...and may not stop it (stopping is an editor's call).
    expect((await api.as('business', 'POST', '/api/pipelines/pricing/stop')).status).toBe(403);
    await api.deployments.handle('pricing')!.done;
  });

  it('may preview exposed changes only: a draft with another graph or a hidden param is refused', async () => {
    const api = await withPricing();
    const events = { orders: [{ quantity: 3 }, { quantity: 9 }] };
    const draft = pricingDoc();
    cfg(draft, 'adjust').rows[0].then.adjust_pct = 20;
    const ok = await api.as('business', 'POST', '/api/pipelines/pricing/preview', { document: draft, params: { surge: 70 }, events });
    expect(ok.status, ok.text).toBe(200);
    const spy = pricingDoc();
    cfg(spy, 'price').set.price = 'quantity';
    const graph = await api.as('business', 'POST', '/api/pipelines/pricing/preview', { document: spy, events });
    expect(graph.status).toBe(403);
    expect(graph.json.error.message).toContain('nodes.price.config.set.price');
    expect((await api.as('business', 'POST', '/api/pipelines/pricing/preview', { params: { fee: 1 }, events })).status).toBe(403);
    expect((await api.as('editor', 'POST', '/api/pipelines/pricing/preview', { document: spy, events })).status).toBe(200);
    expect((await api.as('viewer', 'POST', '/api/pipelines/pricing/preview', { events })).status).toBe(403);
  });

  it('may roll back to an earlier version', async () => {
    const api = await withPricing();
    const d = pricingDoc();
    d.params.surge.value = 10;
    await api.as('business', 'PUT', '/api/pipelines/pricing', d);
    const r = await api.as('business', 'POST', '/api/pipelines/pricing/rollback', { version: 1 });
    expect(r.status).toBe(200);
    expect(r.json.pipeline.document.params.surge.value).toBe(50);
  });
});
