/**
 * Field names from pinned samples, for the forms' completions (docs/pinned-samples.md): a
 * source whose schema is open (a file, a queue) says nothing about its fields until it runs;
 * its pinned events do. Added as `any` to an open input schema only, so a closed schema (a
 * generator's) stays as exact as it is, and no check changes: an open schema already lets
 * unknown names through.
 */
import type { EventSchema, PipelineDocument } from '@sluice/shared';

/** Dotted names of every field in the events, nested objects included (as the schema names them). */
export function fieldNames(events: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      names.add(prefix + k);
      if (depth < 4 && v !== null && typeof v === 'object' && !Array.isArray(v))
        walk(v as Record<string, unknown>, `${prefix}${k}.`, depth + 1);
    }
  };
  for (const e of events) walk(e, '', 0);
  return [...names];
}

/** The sources upstream of a node (the node itself when it is one), by walking edges backwards. */
function upstreamSources(doc: PipelineDocument, nodeId: string, isSource: (id: string) => boolean): string[] {
  const seen = new Set<string>();
  const todo = doc.edges.filter((e) => e.target === nodeId).map((e) => e.source);
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of doc.edges) if (e.target === id) todo.push(e.source);
  }
  return [...seen].filter(isSource);
}

export function withSampleFields(
  schema: EventSchema | undefined,
  doc: PipelineDocument,
  nodeId: string,
  pinned: Readonly<Record<string, Record<string, unknown>[]>>,
): EventSchema | undefined {
  if (schema && !schema.open) return schema;
  const sources = upstreamSources(doc, nodeId, (id) => pinned[id] !== undefined);
  if (sources.length === 0) return schema;
  const fields = { ...(schema?.fields ?? {}) };
  for (const s of sources) for (const name of fieldNames(pinned[s]!)) fields[name] ??= 'any';
  return { fields, open: true };
}
