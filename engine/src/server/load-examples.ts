/**
 * First start: import every `examples/<name>/<name>.json` into an empty store. Their relative
 * paths (campaigns.jsonl, out/...) keep resolving against the example's own folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineDocument } from '@sluice/shared';
import type { PipelineStore } from '../store/pipeline-store.js';

export async function loadExamples(store: PipelineStore, examplesDir: string): Promise<string[]> {
  if ((await store.list()).length > 0) return [];
  const loaded: string[] = [];
  let folders: string[] = [];
  try {
    folders = (await readdir(examplesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  for (const name of folders.sort()) {
    const dir = join(examplesDir, name);
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(await readFile(join(dir, file), 'utf8')) as PipelineDocument;
      const id = doc.id ?? file.replace(/\.json$/, '');
      await store.put(id, doc, { author: 'sluice', action: 'import', note: `examples/${name}/${file}`, baseDir: dir });
      loaded.push(id);
    }
  }
  return loaded;
}
