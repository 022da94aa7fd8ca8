import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAuditLog } from '../../audit/audit-log.js';
import { closeTestApis, generatorDoc, testApi, waitFor } from '../test-support.js';

afterEach(closeTestApis);

const withParam = (value: number) => ({ ...generatorDoc(), params: { min: { type: 'number', value, exposed: true, min: 0, max: 10 } } });

describe('rollback and the audit log', () => {
  it('records who did what, newest first; a rollback restores a version, redeploys it and is recorded too', async () => {
    const { call } = testApi();
    const as = (user: string) => ({ 'x-sluice-user': user });
    await call('POST', '/api/pipelines', withParam(1), as('eng')); // v1
    await call('PUT', '/api/pipelines/live', withParam(3), as('ana')); // v2
    expect((await call('POST', '/api/pipelines/live/deploy', undefined, as('ana'))).status).toBe(200); // v3
    const rolled = await call('POST', '/api/pipelines/live/rollback', { version: 1 }, as('bo'));
    expect(rolled.status, rolled.text).toBe(200);
    // v4 is the rollback, v5 its deploy.
    expect(rolled.json).toMatchObject({ version: 5, deployed: true });
    expect(rolled.json.pipeline.document.params.min.value).toBe(1);
    expect((await call('GET', '/api/pipelines/live/status')).json.deployment).toMatchObject({ version: 5, params: { min: 1 } });
    const versions = (await call('GET', '/api/pipelines/live/versions')).json.versions;
    expect(versions.map((v: any) => [v.version, v.action, v.author, v.note])).toEqual([
      [1, 'create', 'eng', undefined],
      [2, 'save', 'ana', undefined],
      [3, 'deploy', 'ana', undefined],
      [4, 'rollback', 'bo', 'rollback to version 1'],
      [5, 'deploy', 'bo', undefined],
    ]);
    await call('POST', '/api/pipelines/live/stop', undefined, as('ops'));

    const entries = (await call('GET', '/api/pipelines/live/audit')).json.entries;
    expect(entries.map((e: any) => [e.action, e.actor, e.role, e.version])).toEqual([
      ['stop', 'ops', 'admin', undefined],
      ['rollback', 'bo', 'admin', 5],
      ['deploy', 'ana', 'admin', 3],
      ['save', 'ana', 'admin', 2],
      ['create', 'eng', 'admin', 1],
    ]);
    expect(entries[1].summary).toEqual(['rollback to version 1', 'min 3 -> 1']);
    expect(entries[3].summary).toEqual(['min 1 -> 3']);
    expect(entries[2].summary).toEqual(['version 3 deployed']);
    for (const e of entries) expect(Date.parse(e.at)).not.toBeNaN();

    await call('DELETE', '/api/pipelines/live', undefined, as('eng'));
    const all = (await call('GET', '/api/audit?limit=2')).json.entries;
    expect(all.map((e: any) => [e.action, e.pipelineId])).toEqual([
      ['delete', 'live'],
      ['stop', 'live'],
    ]);
    expect((await call('GET', '/api/audit?pipeline=other')).json.entries).toEqual([]);
  });

  it('a later deploy says what changed since the one before, params as deployed', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', withParam(1));
    await call('POST', '/api/pipelines/live/deploy');
    const swap = await call('POST', '/api/pipelines/live/deploy', { params: { min: 4 } });
    // A param change reaches the running pipeline without a restart, every node keeping its state.
    expect(swap.json.redeploy).toMatchObject({ mode: 'hot', kept: ['orders', 'big', 'out'], reset: [] });
    const [latest] = (await call('GET', '/api/pipelines/live/audit')).json.entries;
    expect(latest).toMatchObject({
      action: 'deploy',
      version: 3,
      summary: ['version 2 -> 3', 'min 1 -> 4', 'swapped in without a restart; state kept: orders, big, out'],
    });
    await call('POST', '/api/pipelines/live/stop');
  });

  it('refuses a bad rollback: no body, a version that is not a number, an unknown version', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', withParam(1));
    expect((await call('POST', '/api/pipelines/live/rollback', {})).status).toBe(400);
    expect((await call('POST', '/api/pipelines/live/rollback', { version: '1' })).json.error.code).toBe('invalid-body');
    const r = await call('POST', '/api/pipelines/live/rollback', { version: 9 });
    expect(r.status).toBe(404);
    expect(r.json.error.message).toContain('no version 9');
    // Not deployed: restored as a new version, nothing started.
    const ok = await call('POST', '/api/pipelines/live/rollback', { version: 1 });
    expect(ok.json).toMatchObject({ version: 2, deployed: false });
    expect((await call('GET', '/api/pipelines/live/status')).json.status).toBe('not-deployed');
    expect((await call('GET', '/api/audit?limit=abc')).status).toBe(400);
  });
});

describe('GET /api/pipelines/:id/audit', () => {
  it('404 for a pipeline that never existed, like every per-pipeline route; a deleted one keeps its history', async () => {
    const { call } = testApi();
    const ghost = await call('GET', '/api/pipelines/ghost/audit');
    expect(ghost.status).toBe(404);
    expect(ghost.json.error).toMatchObject({ code: 'not-found', message: 'no pipeline "ghost"' });
    await call('POST', '/api/pipelines', generatorDoc());
    expect((await call('GET', '/api/pipelines/live/audit')).json.entries.map((e: { action: string }) => e.action)).toEqual(['create']);
    await call('DELETE', '/api/pipelines/live');
    const gone = await call('GET', '/api/pipelines/live/audit');
    expect(gone.status).toBe(200);
    expect(gone.json.entries.map((e: { action: string }) => e.action)).toEqual(['delete', 'create']);
  });
});

it('a rollback of a bounded pipeline whose run completed runs the restored version', async () => {
  const { call } = testApi();
  const bounded = (min: number) => ({
    ...withParam(min),
    nodes: withParam(min).nodes.map((n) => (n.id === 'orders' ? { ...n, config: { scenario: 'orders', count: 50, seed: 1 } } : n)),
  });
  await call('POST', '/api/pipelines', bounded(1)); // v1
  await call('PUT', '/api/pipelines/live', bounded(2)); // v2
  await call('POST', '/api/pipelines/live/deploy'); // v3
  await waitFor(async () => (await call('GET', '/api/pipelines/live/status')).json.status === 'completed', 10_000);
  const r = await call('POST', '/api/pipelines/live/rollback', { version: 1 });
  expect(r.json).toMatchObject({ deployed: true, version: 5 });
  await waitFor(async () => (await call('GET', '/api/pipelines/live/status')).json.status === 'completed', 10_000);
  expect((await call('GET', '/api/pipelines/live/status')).json.metrics.nodes.big.in).toBe(50);
});

describe('FileAuditLog', () => {
  it('appends one line per entry, survives a torn last line, and filters per pipeline', async () => {
    const { dataDir } = testApi();
    const file = join(dataDir, 'audit.jsonl');
    const log = new FileAuditLog(file);
    const entry = (action: string, pipelineId: string) => ({
      at: '2026-11-29T10:00:00.000Z',
      actor: 'ana',
      role: 'business',
      action,
      pipelineId,
      summary: [],
      address: '127.0.0.1',
    });
    await Promise.all([log.append(entry('save', 'a')), log.append(entry('deploy', 'a')), log.append(entry('save', 'b'))]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    appendFileSync(file, '{"at":"2026-11-29T10:0'); // a crash mid-write
    expect((await new FileAuditLog(file).list({ pipelineId: 'a' })).map((e) => e.action)).toEqual(['deploy', 'save']);
    // The next writer starts a fresh line: its entry is not lost in the torn one.
    await new FileAuditLog(file).append(entry('stop', 'a'));
    expect((await log.list({ pipelineId: 'a', limit: 1 })).map((e) => e.action)).toEqual(['stop']);
    expect(await new FileAuditLog(join(dataDir, 'none.jsonl')).list()).toEqual([]);
  });
});
