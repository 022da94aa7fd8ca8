/**
 * The PII sweep (issue 16, docs/privacy.md): a pipeline carrying a canary email and card number.
 * With default settings the canary appears in no tap, recording (previews replay it), preview
 * answer, console line or server log line; with masking explicitly off, it does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '@sluice/engine';
import { readSse, waitFor } from '@sluice/engine/testing';

const EMAIL = `canary.${randomUUID().slice(0, 8)}@example.com`;
const CARD = `4000${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-pii-'));
const log: string[] = [];
const printed: string[] = [];
let server: RunningServer;

const doc = (id: string, privacy?: Record<string, unknown>) => ({
  format: 'sluice/v1',
  id,
  nodes: [
    { id: 'http', type: 'source.http', config: { maxBuffered: 100, timeField: 'ts' } },
    { id: 'paid', type: 'filter', config: { expression: 'amount > 0' } },
    { id: 'console', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'http', target: 'paid' },
    { id: 'e2', source: 'paid', target: 'console' },
  ],
  ...(privacy ? { privacy } : {}),
});
const event = (i: number) => ({ ts: 1_700_000_000_000 + i, amount: 10 + i, customer: { email: EMAIL }, cardNumber: CARD });

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, text: await res.text() };
}

/** Everything a person could see of pipeline `id`: its tap, its preview answer (on its recording), its status. */
async function sweep(id: string, privacy?: Record<string, unknown>): Promise<Record<string, string>> {
  expect((await call('POST', '/api/pipelines', doc(id, privacy))).status).toBe(201);
  expect((await call('POST', `/api/pipelines/${id}/deploy`)).status).toBe(200);
  const res = await fetch(`${server.url}/api/pipelines/${id}/taps/e2`);
  let i = 0;
  const tap = await readSse(res, (seen) => {
    void call('POST', `/api/ingest/${id}/http`, event(i++));
    return seen.filter((m) => m.event === 'events').flatMap((m) => m.data).length >= 3;
  });
  await waitFor(async () => JSON.parse((await call('GET', `/api/pipelines/${id}/recording`)).text).events >= 3, 10_000);
  const preview = await call('POST', `/api/pipelines/${id}/preview`, {});
  expect(preview.status).toBe(200);
  const status = await call('GET', `/api/pipelines/${id}/status`);
  await call('POST', `/api/pipelines/${id}/stop`);
  return { tap: JSON.stringify(tap), preview: preview.text, status: status.text };
}

beforeAll(async () => {
  // sink.console writes to the server's standard output: a log people read.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return write(chunk as string, ...(rest as []));
  });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'data'),
    examplesDir: join(dir, 'no-examples'),
    editorDist: join(dir, 'no-dist'),
    log: (l) => log.push(l),
  });
});

afterAll(async () => {
  await server?.close();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('a canary email and card number', () => {
  it('appear in no tap, preview answer (on the recording), status, console line or log line by default', async () => {
    const seen = await sweep('pii');
    for (const [where, text] of Object.entries({ ...seen, log: log.join('\n'), console: printed.join('') })) {
      expect(text.includes(EMAIL), where).toBe(false);
      expect(text.includes(CARD), where).toBe(false);
    }
    // The events did flow: masked, not missing.
    expect(seen.tap).toContain('"cardNumber":"***"');
    expect(printed.join('')).toContain('"cardNumber":"***"');
  });

  it('appear in the tap, the preview answer and the console when the document turns masking off', async () => {
    const seen = await sweep('pii-open', { maskPersonalFields: false });
    for (const where of ['tap', 'preview'] as const) {
      expect(seen[where]!.includes(EMAIL), where).toBe(true);
      expect(seen[where]!.includes(CARD), where).toBe(true);
    }
    expect(printed.join('')).toContain(EMAIL);
    // The server log says what happened, never what the events held.
    expect(log.join('\n')).not.toContain(EMAIL);
  });
});
