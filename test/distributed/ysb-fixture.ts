import { readFileSync } from 'node:fs';
import type { PipelineDocument } from '@sluice/shared';
import { compilePipeline } from '@sluice/engine';

/**
 * The YSB example with its event count and sink path changed, validated; optionally its source
 * split (`parallelism`) or paced (`rate`, events/s: event times follow the rate).
 */
export function ysbDocumentFor(
  count: number,
  sinkPath: string,
  o: { parallelism?: number; rate?: number; placement?: string[] } = {},
): PipelineDocument {
  const doc = JSON.parse(readFileSync(new URL('../../examples/ysb/ysb.json', import.meta.url), 'utf8'));
  const source = doc.nodes.find((n: { id: string }) => n.id === 'ad_events');
  source.config.count = count;
  if (o.rate !== undefined) source.config.rate = o.rate;
  if (o.parallelism !== undefined) source.parallelism = o.parallelism;
  if (o.placement !== undefined) source.placement = { labels: o.placement };
  doc.nodes.find((n: { id: string }) => n.id === 'counts').config.path = sinkPath;
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return document;
}

export const YSB_DIR = new URL('../../examples/ysb/', import.meta.url).pathname;
