/**
 * What every PipelineStore must do: run this suite on each implementation (files now;
 * PostgreSQL when DATABASE_URL lands). `create` returns an empty store.
 */
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { PipelineStore } from './pipeline-store.js';

const doc = (name: string): PipelineDocument => ({ format: 'sluice/v1', name, nodes: [], edges: [] });
const meta = (author = 'ana', action = 'save') => ({ author, action });
const deployment = (version: number) => ({ version, params: { t: 3 }, at: new Date().toISOString(), author: 'ana' });

export function describeStoreContract(name: string, create: () => Promise<PipelineStore>): void {
  describe(`pipeline store contract: ${name}`, () => {
    it('saves, lists (by id), gets and deletes documents', async () => {
      const s = await create();
      expect(await s.list()).toEqual([]);
      expect(await s.get('alpha')).toBeUndefined();
      await s.put('beta', doc('B'), meta());
      const a = await s.put('alpha', doc('A'), meta());
      expect(a).toMatchObject({ id: 'alpha', version: 1, document: { name: 'A', id: 'alpha' } });
      expect(Date.parse(a.updatedAt)).toBeGreaterThan(0);
      expect((await s.list()).map((p) => p.id)).toEqual(['alpha', 'beta']);
      expect((await s.get('beta'))?.document.name).toBe('B');
      expect(await s.delete('beta')).toBe(true);
      expect(await s.delete('beta')).toBe(false);
      expect(await s.get('beta')).toBeUndefined();
      expect(await s.versions('beta')).toEqual([]);
      expect((await s.list()).map((p) => p.id)).toEqual(['alpha']);
    });

    it('stores the document under its pipeline id, whatever id the body carried', async () => {
      const s = await create();
      const stored = await s.put('right', { ...doc('x'), id: 'wrong' }, meta());
      expect(stored.document.id).toBe('right');
      expect((await s.getVersion('right', 1))?.id).toBe('right');
    });

    it("an autosave replaces the autosave before it by the same author, never a saved, deployed or other author's version", async () => {
      const s = await create();
      const draft = (author = 'ana') => ({ author, action: 'draft', amendDraft: true });
      await s.put('p', doc('v1'), meta());
      expect((await s.put('p', doc('d1'), draft())).version).toBe(2);
      expect((await s.put('p', doc('d2'), draft())).version).toBe(2);
      expect((await s.getVersion('p', 2))?.name).toBe('d2');
      expect((await s.get('p'))?.document.name).toBe('d2');
      // Another author's autosave starts a version of its own.
      expect((await s.put('p', doc('d3'), draft('bo'))).version).toBe(3);
      // After a save, the next autosave is a new version.
      expect((await s.put('p', doc('saved'), meta('bo', 'save'))).version).toBe(4);
      expect((await s.put('p', doc('d4'), draft('bo'))).version).toBe(5);
      // A deployed draft stays as it ran.
      await s.recordDeployment('p', deployment(5));
      expect((await s.put('p', doc('d5'), draft('bo'))).version).toBe(6);
      expect((await s.getVersion('p', 5))?.name).toBe('d4');
      expect((await s.versions('p')).map((v) => `${v.version} ${v.action} ${v.author}`)).toEqual([
        '1 save ana',
        '2 draft ana',
        '3 draft bo',
        '4 save bo',
        '5 draft bo',
        '6 draft bo',
      ]);
    });

    it('keeps every version with time, author, action and note', async () => {
      const s = await create();
      await s.put('p', doc('first'), meta('ana', 'create'));
      await s.put('p', doc('second'), { author: 'bo', action: 'deploy', note: 'go live' });
      expect((await s.get('p'))!.version).toBe(2);
      const versions = await s.versions('p');
      expect(versions.map((v) => [v.version, v.author, v.action])).toEqual([
        [1, 'ana', 'create'],
        [2, 'bo', 'deploy'],
      ]);
      expect(versions[0]!.note).toBeUndefined();
      expect(versions[1]!.note).toBe('go live');
      expect(Date.parse(versions[0]!.at)).toBeGreaterThan(0);
      expect((await s.getVersion('p', 1))?.name).toBe('first');
      expect((await s.getVersion('p', 2))?.name).toBe('second');
      expect(await s.getVersion('p', 9)).toBeUndefined();
      expect(await s.getVersion('p', 0)).toBeUndefined();
      expect(await s.getVersion('nope', 1)).toBeUndefined();
    });

    it('numbers concurrent saves of one pipeline without gaps or duplicates', async () => {
      const s = await create();
      await Promise.all(Array.from({ length: 8 }, (_, i) => s.put('busy', doc(`v${i}`), meta())));
      expect((await s.versions('busy')).map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await s.get('busy'))!.version).toBe(8);
    });

    it('keeps baseDir across versions unless a save sets it', async () => {
      const s = await create();
      const first = await s.put('p', doc('x'), { ...meta(), baseDir: '/somewhere/examples/p' });
      expect(first.baseDir).toBe('/somewhere/examples/p');
      expect((await s.put('p', doc('y'), meta())).baseDir).toBe('/somewhere/examples/p');
      expect(typeof (await s.put('q', doc('z'), meta())).baseDir).toBe('string');
    });

    it('records which pipelines are deployed', async () => {
      const s = await create();
      await s.put('p', doc('x'), meta());
      await s.put('q', doc('y'), meta());
      expect(await s.getDeployment('p')).toBeNull();
      expect(await s.listDeployed()).toEqual([]);
      await s.recordDeployment('p', deployment(1));
      expect(await s.getDeployment('p')).toMatchObject({ version: 1, params: { t: 3 }, author: 'ana' });
      expect(await s.listDeployed()).toEqual([{ id: 'p', deployment: expect.objectContaining({ version: 1 }) }]);
      await s.recordDeployment('p', null);
      await s.recordDeployment('p', null);
      expect(await s.getDeployment('p')).toBeNull();
      await s.recordDeployment('q', deployment(1));
      await s.delete('q');
      expect(await s.listDeployed()).toEqual([]);
    });

    it('keeps alert states while deployed: a redeploy keeps them, an undeploy deletes them and refuses later writes', async () => {
      const s = await create();
      await s.put('p', doc('x'), meta());
      const firing = {
        fires: { phase: 'firing' as const, since: 1000, value: 2, measuredAt: 3000 },
        waits: { phase: 'pending' as const, since: 1500 },
      };
      expect(await s.getAlertStates('p')).toEqual({});
      expect(await s.putAlertStates('p', firing)).toBe(false);
      expect(await s.getAlertStates('p')).toEqual({});
      await s.recordDeployment('p', deployment(1));
      expect(await s.putAlertStates('p', firing)).toBe(true);
      expect(await s.getAlertStates('p')).toEqual(firing);
      await s.recordDeployment('p', deployment(2));
      expect(await s.getAlertStates('p')).toEqual(firing);
      await s.recordDeployment('p', null);
      expect(await s.getAlertStates('p')).toEqual({});
      expect(await s.putAlertStates('p', firing)).toBe(false);
      expect(await s.getAlertStates('p')).toEqual({});
    });

    it('refuses ids outside [a-z0-9-], so an id never names another folder or key', async () => {
      const s = await create();
      for (const bad of ['../escape', 'Upper', '', '-lead', 'a/b', 'x'.repeat(65)]) {
        await expect(s.put(bad, doc('x'), meta()), bad).rejects.toThrow(/invalid pipeline id/);
      }
    });
  });
}
