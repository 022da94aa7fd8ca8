/**
 * A partition thread's own polling (thread-part.ts), run here on the main thread with its
 * messages to the main thread collected: the interleaving a loaded machine makes (the thread
 * descheduled between reading the clock and checking its job's time budget) is forced with a
 * clock that moves past the budget at every read.
 */
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { compiled } from '../../runner.contract.js';
import { PartitionThread } from './thread-part.js';
import { threadPlan } from './thread-placement.js';
import type { FromThread, ThreadInit } from './thread-protocol.js';

afterEach(() => vi.restoreAllMocks());

/** A part of a one-thread plan whose messages to the main thread land in `sent`. */
async function soloPart(document: PipelineDocument, batchSize: number): Promise<{ part: PartitionThread; sent: FromThread[] }> {
  const sent: FromThread[] = [];
  const control = { postMessage: (m: FromThread) => sent.push(m), close() {} } as unknown as MessagePort;
  const init: ThreadInit = {
    index: 0,
    threads: 1,
    partitions: 1,
    document,
    pipelineId: 'solo',
    baseDir: '.',
    plugins: [],
    state: [],
    console: true,
    tapped: [],
    fedByMain: [],
    batchSize,
    batchDelayMs: 1,
  };
  const part = new PartitionThread(init, threadPlan(document, 1), control, [null]);
  await part.build();
  return { part, sent };
}

describe('a partition thread polling its sources', () => {
  it('polls on to the end when every job starts past its time budget (a descheduled thread)', async () => {
    const document = compiled({
      format: 'sluice/v1',
      nodes: [
        { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 25, seed: 1 } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [{ id: 'e', source: 'src', target: 'out' }],
    });
    const { part, sent } = await soloPart(document, 10);
    // Every read of the clock is 30 ms after the one before: more than a job's 20 ms budget.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 30));
    const done = () => sent.some((m) => m.t === 'done');
    part.onMain({ t: 'go' });
    // Jobs follow each other by setImmediate: 25 events in batches of 10 take 3 jobs, so a few
    // dozen turns of the event loop are plenty (turns, not time).
    for (let turn = 0; turn < 50 && !done(); turn++) await new Promise((r) => setImmediate(r));
    expect(done()).toBe(true);
    const lines = sent.flatMap((m) => (m.t === 'line' ? m.text.split('\n') : []));
    expect(lines).toHaveLength(25);
    const report = sent.findLast((m) => m.t === 'metrics');
    expect(report?.t === 'metrics' && report.report.nodes.out?.counts.in).toBe(25);
    part.release();
  });
});
