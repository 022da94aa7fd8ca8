/**
 * Path parameters checked against the document schema's own id rules (shared's
 * document-schema.ts), and the pipeline they name: an id the format accepts is never refused
 * at a door. Edge ids follow the node id rule (GRAPH_FORMAT.md), so every edge can be tapped.
 */
import { edgeSpecSchema, NODE_ID, type StoredPipeline } from '@sluice/shared';
import { PIPELINE_ID, type PipelineStore } from '../store/pipeline-store.js';
import { ApiError } from './errors.js';

const RULES = {
  pipeline: { ok: (id: string) => PIPELINE_ID.test(id), rule: 'match [a-z0-9][a-z0-9-]{0,63}' },
  node: { ok: (id: string) => NODE_ID.test(id), rule: 'match [A-Za-z0-9_-]{1,64}' },
  edge: { ok: (id: string) => edgeSpecSchema.shape.id.safeParse(id).success, rule: 'match [A-Za-z0-9_-]{1,64}' },
} as const;

export function checkId(kind: 'pipeline' | 'node' | 'edge', id: string): void {
  if (!RULES[kind].ok(id))
    throw new ApiError(
      400,
      'invalid-id',
      `${kind} ids ${RULES[kind].rule}; got ${JSON.stringify(id.length > 200 ? `${id.slice(0, 200)}...` : id)}`,
    );
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
  const clean = raw
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 100);
  return clean === '' ? 'anonymous' : clean;
}
