/** /api/files: the input files of API pipelines in <data>/files/ (issue 11 item 9), on a real data folder. */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi } from '../test-support.js';

afterEach(closeTestApis);

const bytes = { 'content-type': 'application/octet-stream' };

describe('/api/files', () => {
  it('uploads (201, then 200 on replace), lists and deletes files in <data>/files/', async () => {
    const { call, dataDir } = testApi();
    expect((await call('GET', '/api/files')).json.files).toEqual([]);
    const up = await call('PUT', '/api/files/orders.jsonl', '{"a":1}\n', bytes);
    expect(up.status, up.text).toBe(201);
    expect(up.json).toMatchObject({ name: 'orders.jsonl', size: 8, modifiedAt: expect.any(String) });
    expect(readFileSync(join(dataDir, 'files', 'orders.jsonl'), 'utf8')).toBe('{"a":1}\n');
    expect((await call('PUT', '/api/files/orders.jsonl', '{"a":2}\n{"a":3}\n', bytes)).status).toBe(200);
    const list = await call('GET', '/api/files');
    expect(list.json.files).toEqual([{ name: 'orders.jsonl', size: 16, modifiedAt: expect.any(String) }]);
    expect((await call('DELETE', '/api/files/orders.jsonl')).json).toEqual({ deleted: 'orders.jsonl' });
    expect((await call('DELETE', '/api/files/orders.jsonl')).status).toBe(404);
    expect(readdirSync(join(dataDir, 'files'))).toEqual([]);
  });

  it("refuses names that are not plain file names, links out of the folder and the server's own files", async () => {
    const { call, dataDir } = testApi();
    for (const name of ['..%2Ftokens.json', '.hidden', '%2Fetc%2Fpasswd', 'a%00b', `${'x'.repeat(129)}`]) {
      const r = await call('PUT', `/api/files/${name}`, 'x', bytes);
      expect(r.status, name).toBe(400);
    }
    mkdirSync(join(dataDir, 'files'), { recursive: true });
    writeFileSync(join(dataDir, 'secret.txt'), 'keep');
    symlinkSync(join(dataDir, 'secret.txt'), join(dataDir, 'files', 'link.txt'));
    const viaLink = await call('PUT', '/api/files/link.txt', 'overwritten', bytes);
    expect(viaLink.status).toBe(400);
    expect(viaLink.json.error.code).toBe('path-outside');
    expect((await call('DELETE', '/api/files/link.txt')).status).toBe(400);
    expect(readFileSync(join(dataDir, 'secret.txt'), 'utf8')).toBe('keep');
    // The server's own files, even when configured inside the folder (SLUICE_TOKENS_FILE=<data>/files/...).
    const own: string[] = [];
    const guarded = testApi({ protectedFiles: own });
    own.push(join(guarded.dataDir, 'files', 'tokens.json'));
    mkdirSync(join(guarded.dataDir, 'files'), { recursive: true });
    writeFileSync(own[0]!, '[]');
    for (const [m, body] of [
      ['PUT', 'x'],
      ['DELETE', undefined],
    ] as const) {
      const r = await guarded.call(m, '/api/files/tokens.json', body, bytes);
      expect(r.status, m).toBe(403);
      expect(r.json.error.code).toBe('protected-file');
    }
    expect(readFileSync(own[0]!, 'utf8')).toBe('[]');
  });

  it('streams uploads under a size limit (413, nothing left behind) and takes only application/octet-stream', async () => {
    const { call, dataDir, app } = testApi({ maxFileBytes: 1000 });
    const tooBig = await call('PUT', '/api/files/big.csv', 'x'.repeat(1001), bytes);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error.code).toBe('too-large');
    // Chunked (no content-length): counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < 5; i++) ctl.enqueue(new TextEncoder().encode('y'.repeat(300)));
        ctl.close();
      },
    });
    const chunked = await app.request('/api/files/big.csv', { method: 'PUT', body: chunks, headers: bytes, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(existsSync(join(dataDir, 'files', 'big.csv'))).toBe(false);
    expect(readdirSync(join(dataDir, 'files')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const text = await call('PUT', '/api/files/a.csv', 'x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    // Larger than a JSON body may be: uploads have their own limit.
    const big = testApi({ maxBodyBytes: 100 });
    expect((await big.call('PUT', '/api/files/ok.csv', 'z'.repeat(500), bytes)).status).toBe(201);
  });
});
