/**
 * A graceful stop that comes while a source's poll is under way: what the source handed out is
 * processed before the run ends (a source that acknowledges on read, as AMQP does by default,
 * or whose position moved past the batch, would otherwise lose it for good). On one thread, and
 * on partition threads with the source polled on the main thread (threads/threaded-run.ts; a
 * thread's own source: threads/thread-part.test.ts).
 */
import type { SourceBatch, SourceOperator } from '@sluice/nodes/sdk';
import type { Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { compiled, waitFor } from '../runner.contract.js';
import { EmbeddedRunner } from './embedded-runner.js';

const COUNT_BY_CATEGORY = compiled({
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

describe.each([
  { name: 'one thread', threads: false, partitions: 1 },
  { name: 'partition threads', threads: true, partitions: 2 },
])('the embedded runner ($name) stopped while a poll is under way', ({ threads, partitions }) => {
  it('processes the batch the source handed out', async () => {
    // Batches of 10 orders, each held until the test lets it go (a read under way).
    let next = 0;
    let held: (() => void) | undefined;
    const source: SourceOperator = {
      poll: async (): Promise<SourceBatch> => {
        const events = Array.from({ length: 10 }, () => ({ category: `c${next % 2}`, order_id: ++next, ts: 1_000 }) as Event);
        await new Promise<void>((r) => {
          held = r;
        });
        return { events, watermark: 0, done: false };
      },
    };
    const release = () => {
      const r = held!;
      held = undefined;
      r();
    };
    const runner = new EmbeddedRunner({ threads });
    const handle = await runner.deploy(COUNT_BY_CATEGORY, {
      baseDir: '.',
      partitions,
      consoleWriter: () => undefined,
      sourceOverrides: { src: () => source },
    });
    try {
      await waitFor(() => held !== undefined, 60_000);
      release(); // orders 1-10
      await waitFor(() => held !== undefined, 60_000);
      // The source has handed out orders 11-20 when the stop comes.
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
