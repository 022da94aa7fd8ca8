/** What every PipelineStore must do (files now; PostgreSQL when DATABASE_URL lands). */
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { PipelineStore } from './pipeline-store.js';

const doc = (name: string): PipelineDocument => ({ format: 'sluice/v1', name, nodes: [], edges: [] });

export function describeStoreContract(name: string, create: () => Promise<PipelineStore>): void {
  describe(`pipeline store contract: ${name}`, () => {
    it('saves, lists, gets and deletes documents', async () => {
      const s = await create();
      expect(await s.list()).toEqual([]);
      const a = await s.put('alpha', doc('A'), { author: 'ana', action: 'save' });
      expect(a).toMatchObject({ id: 'alpha', version: 1, document: { name: 'A', id: 'alpha' } });
      await s.put('beta', doc('B'), { author: 'ana', action: 'save' });
      expect((await s.list()).map((p) => p.id)).toEqual(['alpha', 'beta']);
      expect((await s.get('beta'))?.document.name).toBe('B');
      expect(await s.delete('beta')).toBe(true);
      expect(await s.delete('beta')).toBe(false);
      expect(await s.get('beta')).toBeUndefined();
    });

    it('keeps every version with time, author and action', async () => {
      const s = await create();
      await s.put('p', doc('first'), { author: 'ana', action: 'save' });
      await s.put('p', doc('second'), { author: 'bo', action: 'deploy', note: 'go live' });
      expect((await s.get('p'))!.version).toBe(2);
      const versions = await s.versions('p');
      expect(versions.map((v) => [v.version, v.author, v.action])).toEqual([
        [1, 'ana', 'save'],
        [2, 'bo', 'deploy'],
      ]);
      expect(versions[1]!.note).toBe('go live');
      expect(Date.parse(versions[0]!.at)).toBeGreaterThan(0);
      expect((await s.getVersion('p', 1))?.name).toBe('first');
      expect(await s.getVersion('p', 9)).toBeUndefined();
    });

    it('records which pipelines are deployed', async () => {
      const s = await create();
      await s.put('p', doc('x'), { author: 'ana', action: 'save' });
      expect(await s.getDeployment('p')).toBeNull();
      await s.setDeployment('p', { version: 1, params: { t: 3 }, at: new Date().toISOString(), author: 'ana' });
      expect(await s.getDeployment('p')).toMatchObject({ version: 1, params: { t: 3 } });
      await s.setDeployment('p', null);
      expect(await s.getDeployment('p')).toBeNull();
    });

    it('refuses ids outside [a-z0-9-]', async () => {
      const s = await create();
      await expect(s.put('../escape', doc('x'), { author: 'a', action: 'save' })).rejects.toThrow(/invalid pipeline id/);
    });
  });
}
