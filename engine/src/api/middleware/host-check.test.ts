import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { hostCheck } from './host-check.js';

const app = (allowedHosts: string[] = []) => new Hono().use('*', hostCheck({ allowedHosts })).all('*', (c) => c.text('ok'));

describe('hostCheck', () => {
  it('answers loopback names on any port', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:9/x', 'http://LOCALHOST:5173/x']) {
      expect((await app().request(url)).status, url).toBe(200);
    }
  });

  it('refuses another Host with 421 naming it and the setting, on GET too (DNS rebinding reads)', async () => {
    const res = await app().request('http://rebind.attacker.example:8080/api/pipelines');
    expect(res.status).toBe(421);
    expect(await res.json()).toEqual({
      error: {
        code: 'unknown-host',
        message:
          'this server does not answer to Host "rebind.attacker.example:8080"; add it to SLUICE_ALLOWED_HOSTS (comma-separated) if it is yours',
      },
    });
  });

  it('answers configured names, with or without a port', async () => {
    const a = app([' Sluice.Example ', 'ops.example:8443']);
    expect((await a.request('http://sluice.example:8080/')).status).toBe(200);
    expect((await a.request('https://ops.example:8443/')).status).toBe(200);
    expect((await a.request('https://ops.example:9000/')).status).toBe(421);
  });
});
