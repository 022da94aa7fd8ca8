/** The request log, request ids in answers and error bodies, and 500s logged (issue 11 items 1 and 23). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger.js';
import { closeTestApis, generatorDoc, testApi } from '../test-support.js';

afterEach(closeTestApis);

/** A real pino logger writing JSON lines into an array. */
function jsonLog() {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({ format: 'json', destination: { write: (s: string) => void records.push(JSON.parse(s)) } });
  return { logger, records };
}

describe('request log', () => {
  it('writes one JSON line per request: method, path, status, ms, request id; never the query, body or credentials', async () => {
    const { logger, records } = jsonLog();
    const { call } = testApi({ log: logger });
    const r = await call('POST', '/api/pipelines?token=sluice_query-secret', generatorDoc(), {
      authorization: 'Bearer sluice_header-secret',
      cookie: 'sluice_session=cookie-secret',
    });
    expect(r.status).toBe(201);
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = records.find((x) => x.reqId === id);
    expect(line).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/api/pipelines',
      status: 201,
      ms: expect.any(Number),
      time: expect.any(String),
    });
    const all = JSON.stringify(records);
    expect(all).not.toMatch(/secret|Live orders|source\.generator/);
  });

  it('keeps a caller-sent x-request-id that is a plain token, replaces any other', async () => {
    const { call } = testApi();
    expect((await call('GET', '/healthz', undefined, { 'x-request-id': 'abc-123' })).headers.get('x-request-id')).toBe('abc-123');
    const forged = await call('GET', '/healthz', undefined, { 'x-request-id': 'a b\tlevel=error' });
    expect(forged.headers.get('x-request-id')).not.toContain(' ');
  });

  it('puts the request id in every error answer, whoever answered (route, door, not found)', async () => {
    const { call } = testApi();
    const cases = [
      await call('GET', '/api/pipelines/ghost'),
      await call('GET', '/api/nothing-here'),
      await call('POST', '/api/pipelines', 'not json', { 'content-type': 'text/plain' }),
      await call('GET', 'http://evil.example/healthz'),
    ];
    expect(cases.map((r) => r.status)).toEqual([404, 404, 415, 421]);
    for (const r of cases) expect(r.json.error.requestId).toBe(r.headers.get('x-request-id'));
  });

  it('logs a 500 with its stack under the request id and answers a generic message carrying it', async () => {
    const { logger, records } = jsonLog();
    const { call, dataDir } = testApi({ log: logger });
    // A real fault: a torn current.json (no server writes one; a disk or a hand edit can).
    mkdirSync(join(dataDir, 'pipelines', 'torn'), { recursive: true });
    writeFileSync(join(dataDir, 'pipelines', 'torn', 'current.json'), '{"id": "torn", "docu');
    const r = await call('GET', '/api/pipelines/torn');
    expect(r.status).toBe(500);
    const id = r.headers.get('x-request-id');
    expect(r.json.error).toEqual({
      code: 'internal',
      message: `internal error; the server log has the details under request id ${id}`,
      requestId: id,
    });
    const logged = records.filter((x) => x.reqId === id);
    expect(logged.map((x) => x.level)).toEqual(['error', 'error']);
    expect(logged[0]).toMatchObject({
      msg: expect.stringContaining('500 on GET /api/pipelines/torn'),
      err: { type: 'Error', stack: expect.stringContaining('is not valid JSON') },
    });
  });

  it('masks secrets in messages and fields, on JSON and terminal lines', async () => {
    const out: string[] = [];
    const pretty = createLogger({ format: 'pretty', destination: { write: (s: string) => void out.push(s) } });
    pretty.info({ url: 'postgres://u:hunter22@db/x' }, 'connecting to redis://:hunter22@cache:6379');
    const { logger, records } = jsonLog();
    logger.error({ err: new Error('auth failed for amqp://guest:hunter22@mq') }, 'boom');
    expect(out.join('') + JSON.stringify(records)).not.toContain('hunter22');
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}connecting to redis:\/\/:\*\*\*@cache:6379 url=postgres:\/\/u:\*\*\*@db\/x\n$/);
    expect(records[0]).toMatchObject({ level: 'error', err: { message: 'auth failed for amqp://guest:***@mq' } });
  });
});
