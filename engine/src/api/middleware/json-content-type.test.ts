import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jsonContentType } from './json-content-type.js';

const app = new Hono()
  .use('*', jsonContentType({ extra: [{ prefix: '/in/', types: ['application/x-ndjson'] }] }))
  .post('*', async (c) => c.text(`read ${await c.req.text()}`));
const send = (path: string, body: BodyInit | undefined, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', ...(body === undefined ? {} : { body }), headers });

describe('jsonContentType', () => {
  it('accepts application/json with a charset, and the route still reads the body', async () => {
    const res = await send('/a', '{"x":1}', { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(await res.text()).toBe('read {"x":1}');
  });

  it('refuses text/plain, forms and a typeless body with 415 naming the expected type', async () => {
    for (const [headers, sent] of [
      [{ 'content-type': 'text/plain' }, 'content-type "text/plain"'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'content-type "application/x-www-form-urlencoded"'],
      [{}, 'no content-type'],
    ] as const) {
      const res = await send('/a', new Blob(['{"x":1}']), headers);
      expect(res.status, sent).toBe(415);
      expect(await res.json()).toEqual({
        error: { code: 'unsupported-media-type', message: `POST /a takes application/json; the request has ${sent}` },
      });
    }
  });

  it('lets a bodiless POST through whatever it says, and takes the extra types on their prefix only', async () => {
    expect((await send('/deploy', undefined)).status).toBe(200);
    expect((await send('/in/x', '{}\n{}', { 'content-type': 'application/x-ndjson' })).status).toBe(200);
    expect((await send('/a', '{}\n{}', { 'content-type': 'application/x-ndjson' })).status).toBe(415);
  });
});
