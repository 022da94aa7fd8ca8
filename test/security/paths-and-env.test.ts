// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are the subject of these tests, written as attackers write them
/**
 * Hostile file paths and `${env:}` references (issue 10, items 1, 6 and 11): each case names what
 * it expects. Every node that takes a path (source.file, sink.file, enrich's table.path) is tried
 * through the API (validate, deploy, preview, as a server confines them), and the runtime check
 * at open time is tried directly on the embedded and the BullMQ runner, where the document's
 * check cannot see (a symbolic link made after validation).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { afterEach, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { closeTestApis, type TestApi, testApi } from '@sluice/engine/testing';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../../nodes/src/redis-stream/redis-test-client.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

afterEach(() => closeTestApis());

type Node = { id: string; type: string; config: Record<string, unknown> };
const doc = (id: string, nodes: Node[]) => ({
  format: 'sluice/v1',
  id,
  nodes,
  edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
});
const gen: Node = { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 3, seed: 1 } };
const out: Node = { id: 'out', type: 'sink.console', config: {} };

/** A pipeline whose one file path is `path`, for each node type that takes a path. */
const PATH_NODES: Record<string, (path: string) => Node[]> = {
  'source.file': (path) => [{ id: 'node', type: 'source.file', config: { path } }, out],
  'sink.file': (path) => [gen, { id: 'node', type: 'sink.file', config: { path } }],
  enrich: (path) => [gen, { id: 'node', type: 'enrich', config: { table: { path }, key: 'id', on: 'sku', fields: ['name'] } }, out],
};
const configPath = (type: string) => (type === 'enrich' ? 'config.table.path' : 'config.path');

/** Hostile paths; `files` is the server's files folder (baseDir), `data` the data folder. */
const HOSTILE: { name: string; path: (files: string, data: string) => string; code: string }[] = [
  { name: '${env:HOME} in the path', path: () => '${env:HOME}/../etc/passwd', code: 'env-ref-not-allowed' },
  { name: '${env:SLUICE_DATA_DIR} to reach tokens.json', path: () => '${env:SLUICE_DATA_DIR}/tokens.json', code: 'env-ref-not-allowed' },
  { name: '.. out of the files folder', path: () => '../../../../../../etc/passwd', code: 'path-outside' },
  { name: 'absolute path outside', path: () => '/etc/passwd', code: 'path-outside' },
  { name: 'the tokens file', path: () => '../tokens.json', code: 'path-outside' },
  { name: 'the audit log, absolute', path: (_, data) => join(data, 'audit.jsonl'), code: 'path-outside' },
  { name: "the store's current document", path: () => '../pipelines/p/current.json', code: 'path-outside' },
  { name: 'a symbolic link inside that leads outside', path: () => 'escape/passwd', code: 'path-outside' },
  { name: 'a dangling link to the tokens file', path: () => 'tokens-link.json', code: 'path-outside' },
  { name: 'a NUL byte', path: () => 'orders\u0000.jsonl', code: 'path-nul' },
];

function serverWithLinks(): TestApi & { files: string } {
  const api = testApi({ confine: true });
  const files = api.store.defaultBaseDir;
  mkdirSync(files, { recursive: true });
  symlinkSync('/etc', join(files, 'escape'));
  symlinkSync(join(api.dataDir, 'tokens.json'), join(files, 'tokens-link.json'));
  return { ...api, files };
}

describe('hostile paths through the API are refused by name, never opened', () => {
  for (const [type, nodes] of Object.entries(PATH_NODES)) {
    it(`${type}: validate, deploy and preview refuse every hostile path with its code`, async () => {
      const api = serverWithLinks();
      for (const c of HOSTILE) {
        const id = `p${randomUUID().slice(0, 8)}`;
        const pipeline = doc(id, nodes(c.path(api.files, api.dataDir)));
        expect((await api.call('POST', '/api/pipelines', pipeline)).status, c.name).toBe(201);
        const v = await api.call('POST', `/api/pipelines/${id}/validate`);
        expect(v.status, c.name).toBe(200);
        expect(v.json.diagnostics, c.name).toContainEqual(
          expect.objectContaining({ nodeId: 'node', path: configPath(type), code: c.code, severity: 'error' }),
        );
        const d = await api.call('POST', `/api/pipelines/${id}/deploy`);
        expect([d.status, d.json.error?.code], c.name).toEqual([422, 'invalid-document']);
        expect(d.json.error.details, c.name).toContainEqual(expect.objectContaining({ code: c.code }));
        const p = await api.call('POST', `/api/pipelines/${id}/preview`, { events: { [pipeline.nodes[0]!.id]: [{ id: 1 }] } });
        expect(p.status, `${c.name}: preview`).toBe(422);
      }
      // Nothing was written where the hostile paths pointed.
      expect(existsSync(join(api.dataDir, 'tokens.json'))).toBe(false);
    });
  }

  it('the same pipelines with paths inside the files folder are valid (the rule does not refuse honest paths)', async () => {
    const api = serverWithLinks();
    for (const [type, nodes] of Object.entries(PATH_NODES)) {
      const id = `ok-${type.replace('.', '-')}`;
      await api.call('POST', '/api/pipelines', doc(id, nodes('in/orders.jsonl')));
      const v = await api.call('POST', `/api/pipelines/${id}/validate`);
      expect(
        v.json.diagnostics.filter((d: { severity: string }) => d.severity === 'error'),
        type,
      ).toEqual([]);
    }
  });
});

describe('${env:} outside connection fields is refused at validation', () => {
  const CASES: { name: string; node: Node; path: string }[] = [
    {
      name: 'filter expression probing a variable',
      node: { id: 'n', type: 'filter', config: { expression: 'startsWith("${env:HOME}", "/")' } },
      path: 'config.expression',
    },
    { name: 'map computed field', node: { id: 'n', type: 'map', config: { set: { x: '"${env:PATH}"' } } }, path: 'config.set.x' },
    {
      name: 'branch route condition',
      node: { id: 'n', type: 'branch', config: { routes: [{ name: 'a', expression: '"${env:HOME}" == ""' }] } },
      path: 'config.routes[0].expression',
    },
    {
      name: 'sink.console prefix',
      node: { id: 'n', type: 'sink.console', config: { prefix: '${env:SLUICE_SECRET_PG}: ' } },
      path: 'config.prefix',
    },
    {
      name: 'a non-connection field of a connector',
      node: { id: 'n', type: 'sink.redis-stream', config: { url: 'redis://127.0.0.1:6379', stream: '${env:HOME}' } },
      path: 'config.stream',
    },
  ];
  for (const c of CASES) {
    it(`${c.name}: env-ref-not-allowed at ${c.path}`, () => {
      const nodes = c.node.type.startsWith('sink.') ? [gen, c.node] : [gen, c.node, out];
      const d = doc('env', nodes);
      if (c.node.type === 'branch')
        d.edges = [{ id: 'e0', source: 'gen', target: 'n' }, { id: 'e1', source: 'n', target: 'out', sourcePort: 'a' } as never];
      const errors = validateDocument(d, nodeDefinitions).diagnostics.filter((x) => x.code === 'env-ref-not-allowed');
      expect(errors).toContainEqual(
        expect.objectContaining({ nodeId: 'n', path: c.path, severity: 'error', message: expect.stringContaining('connection fields') }),
      );
    });
  }

  it('a connector URL may still hold ${env:} (the documented place for secrets)', () => {
    const d = doc('ok', [
      gen,
      { id: 'n', type: 'sink.redis-stream', config: { url: 'redis://:${env:SLUICE_TEST_PW}@127.0.0.1:6379', stream: 's' } },
    ]);
    expect(validateDocument(d, nodeDefinitions).diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('a param value that looks like ${env:HOME} stays text: params are never substituted into the environment', async () => {
    const api = testApi({ confine: true });
    const d = {
      ...doc('param', [
        gen,
        { id: 'm', type: 'map', config: { set: { home: 'params.p' } } },
        { id: 'f', type: 'sink.file', config: { path: 'p.jsonl' } },
      ]),
      params: { p: { type: 'string', value: '${env:HOME}' } },
    };
    await api.call('POST', '/api/pipelines', d);
    expect((await api.call('POST', '/api/pipelines/param/deploy')).status).toBe(200);
    await api.deployments.handle('param')!.done;
    const rows = readFileSync(join(api.store.defaultBaseDir, 'p.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.home)).toEqual(['${env:HOME}', '${env:HOME}', '${env:HOME}']);
  });
});

describe('the runtime confines the path it opens, after validation (a link made later)', () => {
  function linked() {
    const api = testApi();
    const files = api.store.defaultBaseDir;
    const outside = join(api.dataDir, 'outside');
    mkdirSync(files, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'in.jsonl'), '{"n":1}\n');
    symlinkSync(outside, join(files, 'link'));
    return { files, outside, dataDir: api.dataDir };
  }

  it('embedded: source.file and sink.file through a link that leads outside fail at start, naming the path', async () => {
    const { files, outside } = linked();
    const runner = new EmbeddedRunner();
    const read = compilePipeline(doc('r', PATH_NODES['source.file']!('link/in.jsonl'))).document!;
    await expect(runner.deploy(read, { baseDir: files, fileRoots: [files] })).rejects.toThrow(
      /"link\/in\.jsonl" is outside the folders .* through a symbolic link/,
    );
    const write = compilePipeline(doc('w', PATH_NODES['sink.file']!('link/out.jsonl'))).document!;
    await expect(runner.deploy(write, { baseDir: files, fileRoots: [files] })).rejects.toThrow(/"link\/out\.jsonl" is outside the folders/);
    expect(existsSync(join(outside, 'out.jsonl'))).toBe(false);
    // Without roots (the CLI, the user's own files) the same document runs.
    const ok = await runner.deploy(read, { baseDir: files });
    expect((await ok.done).status).toBe('completed');
  });

  it('embedded: a NUL byte fails at start with a message that names it, not Node\u2019s', async () => {
    const { files } = linked();
    const d = compilePipeline(doc('nul', PATH_NODES['sink.file']!('a\u0000b.jsonl'))).document!;
    await expect(new EmbeddedRunner().deploy(d, { baseDir: files })).rejects.toThrow('holds a NUL byte');
  });

  it('BullMQ: a source.file through a link that leads outside fails the run before anything is read', async () => {
    const { files } = linked();
    const prefix = `${TEST_KEY_ROOT}:paths:${randomUUID()}`;
    const redis = await connectTestRedis();
    const runner = new BullmqRunner({ redisUrl: TEST_REDIS_URL, prefix });
    // Sources run on workers: the worker that takes the partition refuses the path and the run fails with it.
    const workers = spawnWorkers(1, { redisUrl: TEST_REDIS_URL, prefix });
    try {
      const d = compilePipeline(doc('bq', PATH_NODES['source.file']!('link/in.jsonl'))).document!;
      const handle = await runner.deploy(d, { baseDir: files, fileRoots: [files] });
      const result = await handle.done;
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(/outside the folders .* through a symbolic link/);
      expect(result.metrics.nodes.node?.out ?? 0).toBe(0);
    } finally {
      await workers.stop();
      await runner.close();
      await releaseTestRedis(redis, prefix);
    }
  }, 120_000);
});
