/**
 * What a sink's flush emits onto an exchange edge in a partition thread (thread-part.ts): the
 * HTTP sink emits the events a receiver refused on its error port when it flushes, and at the end
 * of input that flush is the last thing a thread does. Every refused event must reach the next
 * stage, in whichever thread its partition runs, as on one thread.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event } from '@sluice/shared';
import { keyPartitioner } from '../../../runtime/partitioner.js';
import { compiled } from '../../runner.contract.js';
import { EmbeddedRunner } from '../embedded-runner.js';
import { ReceiveDictionary } from './columnar-batch.js';
import { decodeBatch, encodeBatch } from './thread-batch-codec.js';
import { PartitionThread } from './thread-part.js';
import { threadPlan } from './thread-placement.js';
import type { FromThread, PeerMessage, ThreadInit } from './thread-protocol.js';

const ORDERS = 40;
let server: Server;
let url: string;

beforeAll(async () => {
  // A receiver that refuses everything (400: not retried), so every order goes to the error port.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(400).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  // As an operator would: this receiver is on loopback (the threads inherit the environment).
  process.env.SLUICE_HTTP_SINK_ALLOW = '127.0.0.1/32';
});

afterAll(async () => {
  delete process.env.SLUICE_HTTP_SINK_ALLOW;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** orders -> HTTP sink -> its refused orders -> count per category (keyed: 2 partitions) -> console; late ones -> console too. */
function refusedPerCategory() {
  return compiled({
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: ORDERS, seed: 1 } },
      { id: 'hook', type: 'sink.http', config: { url, maxAttempts: 1 } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '1h', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'counts', type: 'sink.console', config: { prefix: 'count ' } },
      { id: 'late', type: 'sink.console', config: { prefix: 'late ' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'hook' },
      { id: 'e2', source: 'hook', sourcePort: 'error', target: 'win' },
      { id: 'e3', source: 'win', target: 'counts' },
      { id: 'e4', source: 'win', sourcePort: 'late', target: 'late' },
    ],
  });
}

describe("a sink's flush feeding an exchange in partition threads", () => {
  for (const threads of [false, true])
    it(`brings every refused order to the keyed stage (${threads ? '2 partitions on threads' : 'one thread'})`, async () => {
      const lines: string[] = [];
      const runner = new EmbeddedRunner({ threads });
      try {
        const handle = await runner.deploy(refusedPerCategory(), {
          baseDir: '.',
          partitions: 2,
          batchSize: 10,
          consoleWriter: (text) => lines.push(...text.split('\n')),
        });
        const result = await handle.done;
        expect(result.status).toBe('completed');
        // Each refused order is counted in its category's window or comes out late: 40 in all.
        const counted = lines.filter((l) => l.startsWith('count ')).reduce((s, l) => s + JSON.parse(l.slice(6)).n, 0);
        const late = lines.filter((l) => l.startsWith('late ')).length;
        expect(counted + late).toBe(ORDERS);
        expect(result.metrics.nodes.win?.in).toBe(ORDERS);
      } finally {
        await runner.close();
      }
    }, 120_000);
});

describe("a partition thread's last sink flush", () => {
  it('posts what it emitted for a peer thread before the next job, not with it', async () => {
    const document = refusedPerCategory();
    // Thread 0 of 2, its messages to the main thread and to thread 1 collected.
    const sent: FromThread[] = [];
    const toPeer: PeerMessage[] = [];
    const control = { postMessage: (m: FromThread) => sent.push(m), close() {} } as unknown as MessagePort;
    const peer = { postMessage: (m: PeerMessage) => toPeer.push(m), close() {} } as unknown as MessagePort;
    const init: ThreadInit = {
      ...{ index: 0, threads: 2, partitions: 2, document, pipelineId: 'flush', baseDir: '.', plugins: [], state: [] },
      ...{ console: true, tapped: [], fedByMain: ['src#0'], batchSize: 10, batchDelayMs: 1, maxDriftMs: Number.POSITIVE_INFINITY },
    };
    const part = new PartitionThread(init, threadPlan(document, 2), control, [null, peer]);
    await part.build();
    try {
      const orders = Array.from({ length: 10 }, (_, i) => ({ order_id: i + 1, category: `c${i}` }) as Event);
      const remote = orders.filter((o) => keyPartitioner(['category'], 2)(o) === 1).map((o) => o.order_id);
      expect(remote.length).toBeGreaterThan(0);
      // Thread 1's window partition has ended (the sinks after the window, here, wait for it).
      const end = Number.POSITIVE_INFINITY;
      part.onPeer(1, {
        t: 'items',
        items: [
          { t: 'wm', edge: 'e3', from: 1, wm: end },
          { t: 'wm', edge: 'e4', from: 1, wm: end },
        ],
      });
      // Then one job: the orders and the end of input. The HTTP sink refuses them all in its last flush.
      part.onMain({ t: 'src', ack: true, items: [{ stage: 0, part: 0, buf: encodeBatch(orders), shallow: true, wm: 0, done: true }] });
      for (let turn = 0; turn < 10_000 && !sent.some((m) => m.t === 'done'); turn++) await new Promise((r) => setImmediate(r));
      expect(sent.some((m) => m.t === 'done')).toBe(true);
      await new Promise((r) => setImmediate(r));
      // No other job has run: the refused orders of partition 1 are on their way to thread 1 all the same.
      const dict = new ReceiveDictionary();
      const posted = toPeer.flatMap((m) =>
        m.t === 'items' ? m.items.flatMap((it) => (it.t === 'ev' ? decodeBatch(it.buf, dict).map((e) => e.order_id) : [])) : [],
      );
      expect(posted).toEqual(remote);
    } finally {
      part.release();
    }
  });
});
