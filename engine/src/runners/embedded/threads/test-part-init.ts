/** Tests only: what a test's own part of a threaded run starts with (thread-part.test.ts, peer-alignment.test.ts). */
import type { PipelineDocument } from '@sluice/shared';
import type { ThreadInit } from './thread-protocol.js';

export function testPartInit(
  document: PipelineDocument,
  part: Pick<ThreadInit, 'index' | 'threads' | 'partitions' | 'pipelineId' | 'batchSize' | 'maxDriftMs'>,
): ThreadInit {
  return { ...part, document, baseDir: '.', plugins: [], state: [], console: true, tapped: [], fedByMain: [], batchDelayMs: 1 };
}
