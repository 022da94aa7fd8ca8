/** A preview of a pipeline whose source is split (`parallelism`) replays the source's recording as one partition. */
import { tempFolders } from '@sluice/nodes/testing';
import { EVENT_TIME, INGEST_TIME } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { compiled } from '../runners/runner.contract.js';
import { recordEvent } from '../recording/recorded-event.js';
import { runOnEvents } from './run-on-events.js';

const previewDir = tempFolders('sluice-preview-');

describe('preview of a split source', () => {
  it('replays every recorded event once, whatever the parallelism', async () => {
    const doc = compiled({
      format: 'sluice/v1',
      id: 'split-preview',
      nodes: [
        { id: 'gen', type: 'source.generator', parallelism: 4, config: { scenario: 'orders', count: 10 } },
        { id: 'big', type: 'filter', config: { expression: 'quantity >= 2' } },
        { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      ],
      edges: [
        { id: 'e1', source: 'gen', target: 'big' },
        { id: 'e2', source: 'big', target: 'out' },
      ],
    });
    // Quantities 1, 2, 3, 1, 2: three pass the filter.
    const recorded = [1, 2, 3, 1, 2].map((quantity, i) => recordEvent({ quantity, i, [EVENT_TIME]: i, [INGEST_TIME]: i }));
    const run = await runOnEvents(doc, {}, { gen: recorded }, previewDir());
    expect(run.status, run.error).toBe('completed');
    expect(run.outputs.out!.map((e) => e.i)).toEqual([1, 2, 4]);
  });
});
