/**
 * First start: import every `examples/<name>/*.json` pipeline document into the store. Each
 * keeps its example folder as its baseDir, so relative paths (`campaigns.jsonl`, `out/...`)
 * resolve exactly as `pnpm sluice run examples/<name>/<name>.json` resolves them; nothing is
 * copied. A file that is not a sluice document, or whose id is taken, is skipped and logged.
 * With `live`, each is stored in its live form (live-example.ts: unbounded generators at a
 * modest rate), as `sluice serve` asks.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CURRENT_FORMAT, type PipelineDocument } from '@sluice/shared';
import { PIPELINE_ID, type PipelineStore } from '../store/pipeline-store.js';
import { liveExample } from './live-example.js';

export interface LoadExamplesOptions {
  store: PipelineStore;
  examplesDir: string;
  log?: (line: string) => void;
  /** Store the live form (unbounded generators at a modest rate) instead of the bounded benchmark form. */
  live?: boolean;
}

export async function loadExamples(o: LoadExamplesOptions): Promise<string[]> {
  const log = o.log ?? (() => undefined);
  let folders: string[];
  try {
    folders = (await readdir(o.examplesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const loaded: string[] = [];
  for (const name of folders.sort()) {
    const dir = join(o.examplesDir, name);
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
      const where = `examples/${name}/${file}`;
      let doc: PipelineDocument;
      try {
        doc = JSON.parse(await readFile(join(dir, file), 'utf8')) as PipelineDocument;
      } catch (err) {
        log(`skipped ${where}: ${(err as Error).message}`);
        continue;
      }
      if (doc?.format !== CURRENT_FORMAT) continue; // a data or rule file beside the graph
      const id = doc.id ?? basename(file, '.json');
      if (!PIPELINE_ID.test(id)) {
        log(`skipped ${where}: ${JSON.stringify(id)} is not a pipeline id`);
        continue;
      }
      if (await o.store.get(id)) {
        log(`skipped ${where}: a pipeline "${id}" exists already`);
        continue;
      }
      await o.store.put(id, o.live ? liveExample(doc) : doc, { author: 'sluice', action: 'import', note: where, baseDir: dir });
      loaded.push(id);
    }
  }
  return loaded;
}
