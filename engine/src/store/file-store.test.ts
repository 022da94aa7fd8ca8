import { tempFolders } from '@sluice/nodes/testing';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { FileStore } from './file-store.js';
import { describeStoreContract } from './store.contract.js';

const atomicDir = tempFolders('sluice-atomic-');
const storeDir = tempFolders('sluice-store-');

const fresh = () => new FileStore({ dataDir: storeDir() });
const doc = (name: string) => ({ format: 'sluice/v1' as const, name, nodes: [], edges: [] });

describeStoreContract('files', async () => fresh());

describe('file store', () => {
  it('lays a pipeline out as current.json, versions/<n>.json and deployment.json', async () => {
    const s = fresh();
    await s.put('p', doc('one'), { author: 'a', action: 'create' });
    await s.put('p', doc('two'), { author: 'a', action: 'save' });
    await s.recordDeployment('p', { version: 2, params: {}, at: new Date().toISOString(), author: 'a' });
    const dir = join(s.dataDir, 'pipelines', 'p');
    expect(readdirSync(dir).sort()).toEqual(['current.json', 'deployment.json', 'versions']);
    expect(readdirSync(join(dir, 'versions')).sort()).toEqual(['1.json', '2.json']);
    expect(JSON.parse(readFileSync(join(dir, 'current.json'), 'utf8'))).toMatchObject({ id: 'p', version: 2, document: { name: 'two' } });
    expect((await s.get('p'))!.baseDir).toBe(join(s.dataDir, 'files'));
  });

  it('a crash mid-write (a leftover temporary file) never corrupts what is read', async () => {
    const s = fresh();
    await s.put('p', doc('good'), { author: 'a', action: 'save' });
    const dir = join(s.dataDir, 'pipelines', 'p');
    // What a crash between "write the temp file" and "rename it" leaves: a half-written temp.
    writeFileSync(join(dir, '.current.json.dead0001.tmp'), '{"id": "p", "document": {"na');
    writeFileSync(join(dir, 'versions', '.2.json.dead0002.tmp'), '{"version": 2, "docu');
    expect((await s.get('p'))!.document.name).toBe('good');
    expect((await s.list()).map((p) => p.id)).toEqual(['p']);
    expect((await s.versions('p')).map((v) => v.version)).toEqual([1]);
    await s.put('p', doc('better'), { author: 'a', action: 'save' });
    expect((await s.get('p'))!.document.name).toBe('better');
    expect((await s.versions('p')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('a crash after a version file but before current.json: the next save takes that number', async () => {
    const s = fresh();
    await s.put('p', doc('one'), { author: 'a', action: 'save' });
    const orphan = { version: 2, at: new Date().toISOString(), author: 'a', action: 'save', document: { ...doc('lost'), id: 'p' } };
    writeFileSync(join(s.dataDir, 'pipelines', 'p', 'versions', '2.json'), JSON.stringify(orphan));
    expect((await s.get('p'))!.version).toBe(1);
    await s.put('p', doc('two'), { author: 'b', action: 'save' });
    expect((await s.getVersion('p', 2))!.name).toBe('two');
  });

  it('writeFileAtomic replaces a file whole and leaves no temporary file behind', async () => {
    const dir = atomicDir();
    const path = join(dir, 'nested', 'a.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['a.json']);
  });

  it('names the file when a hand edit broke its JSON', async () => {
    const s = fresh();
    await s.put('p', doc('x'), { author: 'a', action: 'save' });
    writeFileSync(join(s.dataDir, 'pipelines', 'p', 'current.json'), '{ broken');
    await expect(s.get('p')).rejects.toThrow(/current\.json is not valid JSON/);
  });

  it('an empty data folder that does not exist yet lists nothing and is created on first save', async () => {
    const s = new FileStore({ dataDir: join(storeDir(), 'not-yet') });
    expect(await s.list()).toEqual([]);
    expect(await s.listDeployed()).toEqual([]);
    await s.put('p', doc('x'), { author: 'a', action: 'save' });
    expect(existsSync(join(s.dataDir, 'pipelines', 'p', 'current.json'))).toBe(true);
  });
});
