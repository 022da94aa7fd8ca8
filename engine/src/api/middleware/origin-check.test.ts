import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { originCheck } from './origin-check.js';

const app = (allowedOrigins: string[] = []) => new Hono().use('*', originCheck({ allowedOrigins })).all('*', (c) => c.text('ok'));
const post = (a: Hono, headers: Record<string, string>, method = 'POST') =>
  a.request('http://127.0.0.1:8080/api/pipelines', { method, headers });

describe('originCheck', () => {
  it('lets through same-origin pages and clients that send neither header (curl, the CLI)', async () => {
    expect((await post(app(), {})).status).toBe(200);
    expect((await post(app(), { origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post(app(), { 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('refuses another origin on every state-changing method, naming it', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await post(app(), { origin: 'http://evil.example' }, method);
      expect(res.status, method).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('cross-origin');
      expect(body.error.message).toContain('origin "http://evil.example"');
    }
  });

  it('refuses another port of the same host, `null` and Sec-Fetch-Site cross-site or same-site', async () => {
    expect((await post(app(), { origin: 'http://127.0.0.1:5555' })).status).toBe(403);
    expect((await post(app(), { origin: 'null' })).status).toBe(403);
    const sameSite = await post(app(), { 'sec-fetch-site': 'same-site' });
    expect(sameSite.status).toBe(403);
    expect(((await sameSite.json()) as { error: { message: string } }).error.message).toContain('Sec-Fetch-Site is same-site');
    expect((await post(app(), { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('leaves reads alone, and lets configured origins change state', async () => {
    expect(
      (
        await app().request('http://127.0.0.1:8080/api/pipelines', {
          headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
        })
      ).status,
    ).toBe(200);
    expect((await post(app(['https://ops.example/']), { origin: 'https://ops.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });
});
