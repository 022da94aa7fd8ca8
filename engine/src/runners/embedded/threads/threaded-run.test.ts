/**
 * A threaded run's main-thread sources (threaded-run.ts): what such a source handed out must
 * reach the partition threads, even when a stop comes while its poll is under way.
 */
import { describe, expect, it } from 'vitest';
import type { Event } from '@sluice/shared';
import type { SourceBatch, SourceOperator } from '@sluice/nodes/sdk';
import { compiled, waitFor } from '../../runner.contract.js';
import { EmbeddedRunner } from '../embedded-runner.js';

const KEYED_COUNT = compiled({
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 1, seed: 1 } },
    {
      id: 'win',
      type: 'window',
      config: { type: 'tumbling', size: '10s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
});

describe('a threaded run with a source polled on the main thread', () => {
  it('deals the batch the source handed out while a stop came', async () => {
    // Batches of 10 events, each held until the test lets it go (a read under way).
    let next = 0;
    let held: (() => void) | undefined;
    const source: SourceOperator = {
      poll: async (): Promise<SourceBatch> => {
        const events: Event[] = Array.from({ length: 10 }, () => ({ category: `c${next % 3}`, order_id: ++next }) as Event);
        await new Promise<void>((r) => (held = r));
        return { events, watermark: 0, done: false };
      },
    };
    const release = () => {
      const r = held!;
      held = undefined;
      r();
    };
    const runner = new EmbeddedRunner({ threads: true });
    const handle = await runner.deploy(KEYED_COUNT, {
      baseDir: '.',
      partitions: 2,
      consoleWriter: () => undefined,
      sourceOverrides: { src: () => source },
    });
    try {
      await waitFor(() => held !== undefined, 60_000);
      release(); // events 1-10
      await waitFor(() => held !== undefined, 60_000);
      // The source has handed out events 11-20 when the stop comes.
      const stopped = handle.stop();
      release();
      const result = await stopped;
      expect(result.status).toBe('stopped');
      expect(result.metrics.edges.e1?.events).toBe(20);
    } finally {
      await runner.close();
    }
  }, 120_000);
});
