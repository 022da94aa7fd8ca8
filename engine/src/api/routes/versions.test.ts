import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc, testApi } from '../test-support.js';

afterEach(closeTestApis);

describe('/api/pipelines/:id/versions', () => {
  it('lists every version with author and action, returns one, and diffs two', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc(), { 'x-sluice-user': 'ana' });
    const changed = generatorDoc();
    changed.name = 'Renamed';
    changed.nodes[1]!.config = { expression: 'quantity >= 2' };
    await call('PUT', '/api/pipelines/live?note=stricter', changed, { 'x-sluice-user': 'bo' });
    const list = (await call('GET', '/api/pipelines/live/versions')).json;
    expect(list.current).toBe(2);
    expect(list.versions.map((v: any) => [v.version, v.author, v.action, v.note])).toEqual([
      [1, 'ana', 'create', undefined],
      [2, 'bo', 'save', 'stricter'],
    ]);
    const v1 = (await call('GET', '/api/pipelines/live/versions/1')).json;
    expect(v1).toMatchObject({ version: 1, author: 'ana', document: { name: 'Live orders' } });
    const diff = (await call('GET', '/api/pipelines/live/versions/1/diff/2')).json;
    expect(diff).toMatchObject({ from: 1, to: 2 });
    expect(diff.diff.summary).toEqual(expect.arrayContaining(['name Live orders -> Renamed']));
    expect(JSON.stringify(diff.diff)).toContain('config.expression');
  });

  it('a deploy is a version too', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy', undefined, { 'x-sluice-user': 'ops' });
    await call('POST', '/api/pipelines/live/stop');
    const versions = (await call('GET', '/api/pipelines/live/versions')).json.versions;
    expect(versions.map((v: any) => [v.action, v.author])).toEqual([
      ['create', 'anonymous'],
      ['deploy', 'ops'],
    ]);
  });

  it('unknown versions are 404; versions that are not whole numbers 400', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    expect((await call('GET', '/api/pipelines/live/versions/7')).status).toBe(404);
    expect((await call('GET', '/api/pipelines/live/versions/1/diff/7')).status).toBe(404);
    for (const v of ['0', '-1', '1.5', 'abc']) {
      const r = await call('GET', `/api/pipelines/live/versions/${v}`);
      expect(r.status, v).toBe(400);
      expect(r.json.error.code).toBe('invalid-version');
    }
  });
});
