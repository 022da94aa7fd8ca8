/**
 * Watermark alignment between partition threads (peer-alignment.ts): two parts of one run, built
 * here on the main thread and joined by a real MessageChannel, read a generator split in two.
 * Part 1's source is held after its first batch (a thread that gets no CPU, or a slow broker):
 * with alignment part 0 stops at the drift past it; without, part 0 reads all its input while
 * part 1 is still at its first batch (what keyed YSB on 2 threads did: tens of windows open per
 * key). Either way the windows are those one thread writes.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import type { SourceBatch } from '@sluice/nodes/sdk';
import { compiled } from '../../runner.contract.js';
import { EmbeddedRunner } from '../embedded-runner.js';
import type { PolledSource, SourcePoller } from './source-poller.js';
import { PartitionThread } from './thread-part.js';
import { threadPlan } from './thread-placement.js';
import type { FromThread, PeerMessage } from './thread-protocol.js';
import { testPartInit } from './test-part-init.js';

const BATCH = 100;
const DRIFT = 1_000;
const START = 1_700_000_000_000;
/** The split generator deals sequence numbers in blocks of 1,024 (1 ms apart): its SPLIT_BLOCK. */
const SPLIT_BLOCK = 1_024;

const SPLIT_ORDERS_PER_CATEGORY: PipelineDocument = compiled({
  format: 'sluice/v1',
  nodes: [
    {
      id: 'src',
      type: 'source.generator',
      parallelism: 2,
      config: { scenario: 'orders', count: 40_000, seed: 7, startTime: START },
    },
    {
      id: 'per_category',
      type: 'window',
      config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'orders', op: 'count' }] },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'per_category' },
    { id: 'e2', source: 'per_category', target: 'out' },
  ],
});

interface Pair {
  parts: PartitionThread[];
  slots: PolledSource[];
  sent: FromThread[];
}

/** Two parts of a 2-thread run, their peer ports joined, their console lines in `sent`. */
async function twoParts(maxDriftMs: number): Promise<Pair> {
  const sent: FromThread[] = [];
  const control = { postMessage: (m: FromThread) => sent.push(m), close() {} } as unknown as MessagePort;
  const { port1, port2 } = new MessageChannel();
  const peers: (MessagePort | null)[][] = [
    [null, port1],
    [port2, null],
  ];
  const parts = [0, 1].map((index) => {
    const init = testPartInit(SPLIT_ORDERS_PER_CATEGORY, {
      index,
      threads: 2,
      partitions: 2,
      pipelineId: 'aligned',
      batchSize: BATCH,
      maxDriftMs,
    });
    return new PartitionThread(init, threadPlan(SPLIT_ORDERS_PER_CATEGORY, 2), control, peers[index]!);
  });
  port1.on('message', (m: PeerMessage) => parts[0]!.onPeer(1, m));
  port2.on('message', (m: PeerMessage) => parts[1]!.onPeer(0, m));
  for (const part of parts) await part.build();
  const slots = parts.map((p) => (p as unknown as { poller: SourcePoller }).poller.sources[0]!);
  return { parts, slots, sent };
}

/** Each poll of the slot's source takes `turns` turns of the event loop (a thread that gets less CPU). */
function slowDown(slot: PolledSource, turns: number): void {
  const real = slot.source.poll.bind(slot.source);
  slot.source = {
    ...slot.source,
    poll: async (max: number): Promise<SourceBatch> => {
      for (let t = 0; t < turns; t++) await new Promise((r) => setImmediate(r));
      return real(max);
    },
  };
}

/** The largest lead of `fast` over `slow` in event time seen at any poll of `fast` while `slow` reads. */
function watchLead(fast: PolledSource, slow: PolledSource): () => number {
  const real = fast.source.poll.bind(fast.source);
  let lead = 0;
  fast.source = {
    ...fast.source,
    poll: (max: number) => {
      if (Number.isFinite(slow.watermark) && !slow.ended) lead = Math.max(lead, fast.watermark - slow.watermark);
      return real(max);
    },
  };
  return () => lead;
}

/** Turns of the event loop (and of the ports' deliveries) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let turn = 0; turn < 20_000 && !cond(); turn++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

const windows = (sent: FromThread[]) =>
  sent
    .flatMap((m) => (m.t === 'line' ? m.text.split('\n') : []))
    .filter(Boolean)
    .sort();

async function oneThreadWindows(): Promise<string[]> {
  const lines: string[] = [];
  const h = await new EmbeddedRunner({ threads: false }).deploy(SPLIT_ORDERS_PER_CATEGORY, {
    baseDir: '.',
    partitions: 2,
    batchSize: BATCH,
    consoleWriter: (l) => lines.push(...l.split('\n').filter(Boolean)),
  });
  expect((await h.done).status).toBe('completed');
  return lines.sort();
}

/** Both parts to their end; their windows. */
async function run(pair: Pair): Promise<string[]> {
  for (const part of pair.parts) part.onMain({ t: 'go' });
  await until(() => pair.sent.filter((m) => m.t === 'done').length === 2);
  for (const part of pair.parts) part.release();
  return windows(pair.sent);
}

describe('watermark alignment between partition threads', () => {
  it('keeps a partition within the drift of a peer that reads slower, and writes the same windows', async () => {
    const pair = await twoParts(DRIFT);
    const [fast, slow] = pair.slots as [PolledSource, PolledSource];
    slowDown(slow, 20);
    const lead = watchLead(fast, slow);
    expect(await run(pair)).toEqual(await oneThreadWindows());
    // A poll starts at most DRIFT ahead; it may cross the other partition's block of sequence
    // numbers, and then its batch spans that block too.
    expect(lead()).toBeGreaterThan(0);
    expect(lead()).toBeLessThanOrEqual(DRIFT + BATCH + SPLIT_BLOCK);
  });

  it('without alignment, the faster partition runs far ahead (the skew it prevents); same windows', async () => {
    const pair = await twoParts(Number.POSITIVE_INFINITY);
    const [fast, slow] = pair.slots as [PolledSource, PolledSource];
    slowDown(slow, 20);
    const lead = watchLead(fast, slow);
    expect(await run(pair)).toEqual(await oneThreadWindows());
    expect(lead()).toBeGreaterThan(10 * DRIFT);
  });
});
