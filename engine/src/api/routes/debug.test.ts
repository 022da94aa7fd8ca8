/**
 * The stream debugger's API over a real server (docs/debugger.md): a session on uploaded events,
 * a breakpoint's pause read from the command's answer, from GET .../state and from the SSE
 * stream, the end, and the refusals.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authTestApi } from '../../auth/auth-fixtures.js';
import { closeTestApis, readSse } from '../test-support.js';
import { type RunningServer, startServer } from '../../server/start-server.js';

const debugDir = tempFolders('sluice-debug-');

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await closeTestApis();
});

async function server() {
  const root = debugDir();
  mkdirSync(join(root, 'examples'));
  const s = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(root, 'data'),
    examplesDir: join(root, 'examples'),
    log: () => {},
  });
  servers.push(s);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  return { s, call };
}

const doc = {
  format: 'sluice/v1',
  id: 'prices',
  name: 'Prices',
  nodes: [
    { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
    {
      id: 'w',
      type: 'window',
      config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'units', op: 'sum', field: 'quantity' }] },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'w' },
    { id: 'e2', source: 'w', target: 'out' },
  ],
};

const events = {
  in: [
    { sku: 'SKU-10046', quantity: 2, ts: 1000 },
    { sku: 'SKU-10046', quantity: 5, ts: 2000 },
    { sku: 'SKU-7', quantity: 9, ts: 3000 },
    { sku: 'SKU-10046', quantity: 4, ts: 4000 },
  ],
};

describe('debug API', () => {
  it('a session pauses at a conditional breakpoint; the answer, the state and the SSE stream agree', async () => {
    const { s, call } = await server();
    expect((await call('POST', '/api/pipelines', doc)).status).toBe(201);
    const made = await call('POST', '/api/pipelines/prices/debug', {
      events,
      breakpoints: [{ id: 'big', edge: 'e1', condition: 'sku == "SKU-10046" && quantity > 3' }],
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ status: 'ready', events: 4, samples: { in: 'uploaded' }, limits: { maxSessions: 4 } });
    const id = made.json.id as string;

    const stream = await fetch(`${s.url}/api/debug/${id}/events`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const seen = readSse(stream, (m) => m.some((x) => x.event === 'ended'), 60_000);

    // SKU-10046 x5 at 2 s: its pane [0, 60 s) holds x2 so far.
    const hit = await call('POST', `/api/debug/${id}/run-to-hit`);
    expect(hit.status).toBe(200);
    expect(hit.json).toMatchObject({
      status: 'paused',
      pause: {
        seq: 1,
        reason: 'breakpoint',
        breakpoint: 'big',
        edge: { id: 'e1', source: 'in', target: 'w' },
        event: { sku: 'SKU-10046', quantity: 5, ts: 2000 },
        eventTime: 2000,
        state: {
          node: 'w',
          type: 'window',
          key: { sku: 'SKU-10046' },
          panes: [{ start: 0, end: 60_000, count: 1, aggregates: { units: 2 } }],
        },
      },
    });
    const state = await call('GET', `/api/debug/${id}/state`);
    expect(state.json).toMatchObject({ id, status: 'paused', pause: { seq: 1, event: { quantity: 5 } } });

    // The second hit (x4 at 4 s) sees x2 + x5 in the pane.
    const second = await call('POST', `/api/debug/${id}/run-to-hit`);
    expect(second.json.pause.state.panes).toEqual([{ start: 0, end: 60_000, count: 2, aggregates: { units: 7 } }]);
    const end = await call('POST', `/api/debug/${id}/continue`);
    expect(end.json).toMatchObject({ status: 'ended', end: { status: 'completed', outputs: { out: { count: 2 } } } });
    expect(end.json.end.outputs.out.events).toEqual([
      { sku: 'SKU-10046', window_start: 0, window_end: 60_000, units: 11 },
      { sku: 'SKU-7', window_start: 0, window_end: 60_000, units: 9 },
    ]);
    expect((await call('POST', `/api/debug/${id}/step`)).json.error.code).toBe('session-ended');

    const messages = await seen;
    expect(messages.map((m) => m.event)).toEqual(['state', 'paused', 'paused', 'ended']);
    expect(messages[1]!.data).toEqual(hit.json.pause);
    expect(messages[3]!.data.status).toBe('completed');

    expect((await call('DELETE', `/api/debug/${id}`)).status).toBe(200);
    expect((await call('GET', `/api/debug/${id}/state`)).status).toBe(404);
  });

  it('refuses a bad breakpoint (naming it), an invalid draft, and unknown sessions', async () => {
    const { call } = await server();
    await call('POST', '/api/pipelines', doc);
    const bad = await call('POST', '/api/pipelines/prices/debug', {
      events,
      breakpoints: [{ id: 'x', edge: 'e1', condition: 'quantity >' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid-breakpoint');
    expect(bad.json.error.message).toMatch(/^breakpoint "x" on edge "e1": condition: /);
    const noEdge = await call('POST', '/api/pipelines/prices/debug', { events, breakpoints: [{ edge: 'e9' }] });
    expect(noEdge.json.error.message).toBe('breakpoint "bp1": the document has no edge "e9"');
    const draft = await call('POST', '/api/pipelines/prices/debug', {
      events,
      document: { ...doc, nodes: doc.nodes.map((n) => (n.id === 'w' ? { ...n, config: { type: 'hourly' } } : n)) },
    });
    expect(draft.status).toBe(422);
    expect((await call('POST', '/api/pipelines/prices/debug', { events, batchSize: 0 })).json.error.message).toBe(
      '"batchSize" must be a whole number from 1 to 1000',
    );
    expect((await call('POST', '/api/debug/nope/step')).status).toBe(404);
    expect((await call('GET', '/api/debug/nope/events')).status).toBe(404);
  });

  it("a session is its maker's: another editor is told it does not exist, an admin reaches it", async () => {
    const api = await authTestApi();
    const eve = await api.tokens.add('eve', 'editor');
    expect((await api.as('editor', 'POST', '/api/pipelines', doc)).status).toBe(201);
    const made = await api.as('editor', 'POST', '/api/pipelines/prices/debug', { events });
    expect(made.status).toBe(201);
    const path = `/api/debug/${made.json.id}/state`;
    const other = await api.call('GET', path, undefined, { authorization: `Bearer ${eve}` });
    expect(other.status).toBe(404);
    expect(other.json.error.code).toBe('not-found');
    expect((await api.as('admin', 'GET', path)).json).toMatchObject({ status: 'ready', events: 4 });
    expect((await api.as('viewer', 'GET', path)).status).toBe(403);
    expect((await api.as('editor', 'DELETE', `/api/debug/${made.json.id}`)).json.status).toBe('ended');
  });
});
