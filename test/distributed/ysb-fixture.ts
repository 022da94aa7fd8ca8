import { readFileSync } from 'node:fs';
import type { PipelineDocument } from '@sluice/shared';
import { compilePipeline } from '@sluice/engine';

/** The YSB example with its event count and sink path changed, validated. */
export function ysbDocumentFor(count: number, sinkPath: string): PipelineDocument {
  const doc = JSON.parse(readFileSync(new URL('../../examples/ysb/ysb.json', import.meta.url), 'utf8'));
  doc.nodes.find((n: { id: string }) => n.id === 'ad_events').config.count = count;
  doc.nodes.find((n: { id: string }) => n.id === 'counts').config.path = sinkPath;
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return document;
}

export const YSB_DIR = new URL('../../examples/ysb/', import.meta.url).pathname;
