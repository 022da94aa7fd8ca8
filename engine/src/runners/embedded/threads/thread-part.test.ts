/**
 * A partition thread's own polling (thread-part.ts), run here on the main thread with its
 * messages to the main thread collected: the interleaving a loaded machine makes (the thread
 * descheduled between reading the clock and checking its job's time budget) is forced with a
 * clock that moves past the budget at every read.
 */
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import type { SourceBatch } from '@sluice/nodes/sdk';
import { compiled } from '../../runner.contract.js';
import type { SourcePoller } from './source-poller.js';
import { PartitionThread } from './thread-part.js';
import { threadPlan } from './thread-placement.js';
import type { FromThread } from './thread-protocol.js';
import { testPartInit } from './test-part-init.js';

afterEach(() => vi.restoreAllMocks());

/** A part of a one-thread plan whose messages to the main thread land in `sent`. */
async function soloPart(document: PipelineDocument, batchSize: number): Promise<{ part: PartitionThread; sent: FromThread[] }> {
  const sent: FromThread[] = [];
  const control = { postMessage: (m: FromThread) => sent.push(m), close() {} } as unknown as MessagePort;
  const init = testPartInit(document, {
    index: 0,
    threads: 1,
    partitions: 1,
    pipelineId: 'solo',
    batchSize,
    maxDriftMs: Number.POSITIVE_INFINITY,
  });
  const part = new PartitionThread(init, threadPlan(document, 1), control, [null]);
  await part.build();
  return { part, sent };
}

const ORDERS_TO_CONSOLE = {
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 25, seed: 1 } },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [{ id: 'e', source: 'src', target: 'out' }],
};

/** Turns of the event loop until `cond` holds (turns, not time: a few dozen are plenty here). */
async function turnsUntil(cond: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200 && !cond(); turn++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/**
 * The part's one polled source made asynchronous: each poll takes the source's real batch and
 * holds it until the test lets it go (an asynchronous source whose read is under way).
 */
function holdPolls(part: PartitionThread): { pending: () => boolean; release: () => void } {
  const slot = (part as unknown as { poller: SourcePoller }).poller.sources[0]!;
  const real = slot.source.poll.bind(slot.source);
  let held: (() => void) | undefined;
  slot.source = {
    ...slot.source,
    poll: async (max: number) => {
      const batch: SourceBatch = await real(max);
      await new Promise<void>((r) => (held = r));
      return batch;
    },
  };
  return {
    pending: () => held !== undefined,
    release: () => {
      const r = held!;
      held = undefined;
      r();
    },
  };
}

const linesOf = (sent: FromThread[]) => sent.flatMap((m) => (m.t === 'line' ? m.text.split('\n') : []));

describe('a partition thread polling its sources', () => {
  it('polls on to the end when every job starts past its time budget (a descheduled thread)', async () => {
    const { part, sent } = await soloPart(compiled(ORDERS_TO_CONSOLE), 10);
    // Every read of the clock is 30 ms after the one before: more than a job's 20 ms budget.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 30));
    const done = () => sent.some((m) => m.t === 'done');
    part.onMain({ t: 'go' });
    // Jobs follow each other by setImmediate: 25 events in batches of 10 take 3 jobs, so a few
    // dozen turns of the event loop are plenty (turns, not time).
    for (let turn = 0; turn < 50 && !done(); turn++) await new Promise((r) => setImmediate(r));
    expect(done()).toBe(true);
    expect(linesOf(sent)).toHaveLength(25);
    const report = sent.findLast((m) => m.t === 'metrics');
    expect(report?.t === 'metrics' && report.report.nodes.out?.counts.in).toBe(25);
    part.release();
  });

  it('processes the batch an asynchronous source handed out while a close (a graceful stop) came', async () => {
    const { part, sent } = await soloPart(compiled(ORDERS_TO_CONSOLE), 10);
    const polls = holdPolls(part);
    part.onMain({ t: 'go' });
    await turnsUntil(polls.pending);
    polls.release(); // orders 1-10
    await turnsUntil(polls.pending);
    // The source has handed out orders 11-20 (its position is past them) when the stop comes.
    part.onMain({ t: 'close' });
    polls.release();
    await turnsUntil(() => sent.some((m) => m.t === 'closed'));
    expect(linesOf(sent).map((l) => JSON.parse(l).order_id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    part.release();
  });

  it('processes every batch of an asynchronous source to the end of its input', async () => {
    const { part, sent } = await soloPart(compiled(ORDERS_TO_CONSOLE), 10);
    const polls = holdPolls(part);
    part.onMain({ t: 'go' });
    for (let batch = 0; batch < 3; batch++) {
      await turnsUntil(polls.pending);
      polls.release();
    }
    await turnsUntil(() => sent.some((m) => m.t === 'done'));
    expect(linesOf(sent)).toHaveLength(25);
    part.release();
  });
});
