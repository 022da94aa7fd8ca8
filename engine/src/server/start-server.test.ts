/** The real server on a free port: examples on first start, the editor with SPA fallback, shutdown. */
import { tempFolders } from '@sluice/nodes/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../api/test-support.js';
import { type RunningServer, startServer } from './start-server.js';

const serverDir = tempFolders('sluice-server-');

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function fixture() {
  const root = serverDir();
  const examplesDir = join(root, 'examples');
  mkdirSync(join(examplesDir, 'tiny'), { recursive: true });
  writeFileSync(join(examplesDir, 'tiny', 'numbers.jsonl'), '{"n":1}\n{"n":2}\n{"n":3}\n');
  writeFileSync(
    join(examplesDir, 'tiny', 'tiny.json'),
    JSON.stringify({
      format: 'sluice/v1',
      id: 'tiny',
      nodes: [
        { id: 'in', type: 'source.file', config: { path: 'numbers.jsonl' } },
        { id: 'out', type: 'sink.file', config: { path: 'out/numbers.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'in', target: 'out' }],
    }),
  );
  const editorDist = join(root, 'dist');
  mkdirSync(join(editorDist, 'assets'), { recursive: true });
  writeFileSync(join(editorDist, 'index.html'), '<!doctype html><title>Sluice editor</title>');
  writeFileSync(join(editorDist, 'assets', 'app-1234.js'), 'console.log(1)');
  return { root, examplesDir, editorDist, dataDir: join(root, 'data') };
}

async function start(f: ReturnType<typeof fixture>, extra: { editorDist?: string } = {}) {
  const lines: string[] = [];
  const s = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: f.dataDir,
    examplesDir: f.examplesDir,
    editorDist: extra.editorDist ?? f.editorDist,
    log: (l) => lines.push(l),
  });
  servers.push(s);
  return { s, lines };
}

describe('startServer', () => {
  it('embedded: a recording survives a restart (issue 13, defect 11), so a preview still runs on it', async () => {
    const f = fixture();
    const first = await start(f);
    expect((await fetch(`${first.s.url}/api/pipelines/tiny/deploy`, { method: 'POST' })).status).toBe(200);
    const recorded = async (url: string) =>
      ((await (await fetch(`${url}/api/pipelines/tiny/recording`)).json()) as { events: number }).events;
    await waitFor(async () => (await recorded(first.s.url)) === 3, 15_000);
    servers.splice(servers.indexOf(first.s), 1);
    await first.s.close();

    const second = await start(f);
    expect(await (await fetch(`${second.s.url}/api/pipelines/tiny/recording`)).json()).toEqual({
      events: 3,
      sources: { in: 3 },
      capacity: 10_000,
    });
    const preview = (await (
      await fetch(`${second.s.url}/api/pipelines/tiny/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { samples: Record<string, string>; draft: { outputs: Record<string, unknown[]> } };
    expect(preview.samples).toEqual({ in: 'recording' });
    expect(preview.draft.outputs.out).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('serves the API on the port it prints; imports the examples on first start only; their relative paths work', async () => {
    const f = fixture();
    const { s, lines } = await start(f);
    expect(s.port).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain(`Sluice on http://127.0.0.1:${s.port} (embedded engine`);
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ ok: true });
    const list = (await (await fetch(`${s.url}/api/pipelines`)).json()) as { pipelines: { id: string }[] };
    expect(list.pipelines.map((p) => p.id)).toEqual(['tiny']);
    const dep = await fetch(`${s.url}/api/pipelines/tiny/deploy`, { method: 'POST' });
    expect(dep.status).toBe(200);
    await s.deployments.handle('tiny')!.done;
    expect(
      readFileSync(join(f.examplesDir, 'tiny', 'out', 'numbers.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
    // Deleting every pipeline does not bring the examples back on the next start.
    await fetch(`${s.url}/api/pipelines/tiny`, { method: 'DELETE' });
    await s.close();
    const again = await start(f);
    expect(((await (await fetch(`${again.s.url}/api/pipelines`)).json()) as { pipelines: unknown[] }).pipelines).toEqual([]);
  });

  it('serves the built editor with an SPA fallback, but never for API paths', async () => {
    const { s } = await start(fixture());
    const index = await fetch(`${s.url}/`);
    expect(await index.text()).toContain('Sluice editor');
    const deep = await fetch(`${s.url}/pipelines/ysb/edit`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('Sluice editor');
    const asset = await fetch(`${s.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const api = await fetch(`${s.url}/api/no-such-thing`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not-found');
    expect((await fetch(`${s.url}/metrics`)).headers.get('content-type')).toContain('text/plain');
  });

  it('without a built editor, serves the API alone and says so', async () => {
    const f = fixture();
    const { s, lines } = await start(f, { editorDist: join(f.root, 'nothing-here') });
    expect((await fetch(`${s.url}/`)).status).toBe(404);
    expect(lines.join('\n')).toContain('the editor is not built');
  });

  it('redeploys what was running when it stopped', async () => {
    const f = fixture();
    const { s } = await start(f);
    const doc = {
      format: 'sluice/v1',
      id: 'forever',
      nodes: [
        { id: 'g', type: 'source.generator', config: { scenario: 'orders', rate: 100 } },
        { id: 'c', type: 'sink.file', config: { path: 'g.jsonl' } },
      ],
      edges: [{ id: 'e', source: 'g', target: 'c' }],
    };
    await fetch(`${s.url}/api/pipelines`, { method: 'POST', body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } });
    expect((await fetch(`${s.url}/api/pipelines/forever/deploy`, { method: 'POST' })).status).toBe(200);
    await s.close();
    const { s: again, lines } = await start(f);
    expect(lines.join('\n')).toContain('redeployed: forever');
    expect(((await (await fetch(`${again.url}/api/pipelines/forever/status`)).json()) as { status: string }).status).toBe('running');
    expect(existsSync(join(f.dataDir, 'files', 'g.jsonl'))).toBe(true);
  });

  it('closes promptly with a live metrics stream open, and ends that stream', async () => {
    const f = fixture();
    const { s } = await start(f);
    const res = await fetch(`${s.url}/api/pipelines/tiny/metrics`);
    const reader = res.body!.getReader();
    await reader.read();
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1500);
    let done = false;
    while (!done) done = (await reader.read().catch(() => ({ done: true }))).done;
  });
});
