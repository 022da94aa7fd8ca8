import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';
import { describeStoreContract } from './store.contract.js';

const fresh = () => new FileStore(mkdtempSync(join(tmpdir(), 'sluice-store-')));

describeStoreContract('files', async () => fresh());

describe('file store', () => {
  it('a crash mid-write (a leftover temporary file) never corrupts what is read', async () => {
    const s = fresh();
    await s.put('p', { format: 'sluice/v1', name: 'good', nodes: [], edges: [] }, { author: 'a', action: 'save' });
    const dir = join(s.dataDir, 'pipelines', 'p');
    writeFileSync(join(dir, 'pipeline.json.dead.tmp'), '{"id": "p", "document": {"na');
    expect((await s.get('p'))!.document.name).toBe('good');
    expect((await s.list()).map((p) => p.id)).toEqual(['p']);
    await s.put('p', { format: 'sluice/v1', name: 'better', nodes: [], edges: [] }, { author: 'a', action: 'save' });
    expect((await s.get('p'))!.document.name).toBe('better');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual(['pipeline.json.dead.tmp']);
  });
});
