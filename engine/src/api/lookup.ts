/** Path parameters checked against GRAPH_FORMAT.md's id rules, and the pipeline they name. */
import { PIPELINE_ID, type PipelineStore, type StoredPipeline } from '../store/pipeline-store.js';
import { ApiError } from './errors.js';

/** Node and edge ids (GRAPH_FORMAT.md). */
export const ELEMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function checkId(kind: 'pipeline' | 'node' | 'edge', id: string): void {
  const ok = kind === 'pipeline' ? PIPELINE_ID.test(id) : ELEMENT_ID.test(id);
  if (!ok) {
    const rule = kind === 'pipeline' ? '[a-z0-9][a-z0-9-]{0,63}' : '[A-Za-z0-9_-]{1,64}';
    throw new ApiError(400, 'invalid-id', `${kind} ids match ${rule}; got ${JSON.stringify(id)}`);
  }
}

export async function findPipeline(store: PipelineStore, id: string): Promise<StoredPipeline> {
  checkId('pipeline', id);
  const p = await store.get(id);
  if (!p) throw new ApiError(404, 'not-found', `no pipeline "${id}"`);
  return p;
}

/** Who made a change: the `x-sluice-user` header until tokens land (free text, kept short). */
export function authorOf(c: { req: { header(name: string): string | undefined } }): string {
  const raw = c.req.header('x-sluice-user') ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100);
  return clean === '' ? 'anonymous' : clean;
}
