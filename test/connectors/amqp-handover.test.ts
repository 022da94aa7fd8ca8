/**
 * Drill: source.amqp (`parallelism` 3, competing consumers) handed over while its consumers
 * hold a full prefetch of unread messages. One `sluice worker` holds all three consumers; a
 * second one joins while the queue keeps a backlog, and the first lets one consumer go
 * (fair share 2). What that consumer had been delivered and not read must not come back to
 * the other consumers behind messages they already passed: they would take those as late
 * (their own watermark is past the window) and the window would lose them. Every 10 s window
 * per key must equal the hand-computed one (compared as the fault drills compare with the
 * embedded engine's output, compare-outputs.ts): lost 0, duplicated 0, none late.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, spawnWorker, spawnWorkers, stopProcess } from '@sluice/engine';
import { deletePrefixKeys } from '@sluice/engine/testing';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../../nodes/src/amqp/amqp-test-client.js';
import { compareOutputs } from '../faults/support/compare-outputs.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { expectedWindows, holderPids, type Order, orders, windowDoc, writtenWindows } from './support/split-windows.js';

const tmpAmqpHandover = tempFolders('sluice-amqp-handover-');

for (const [name, value] of Object.entries(TEST_SECRETS)) process.env[secretEnvVar(name)] = value;

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARTITIONS = 3;
/** Each consumer may hold this many unread: a window and more (1,000 orders per 10 s). */
const PREFETCH = 1_000;
/** Small batches: a consumer reads its prefetch slowly, so it still holds most of it when let go. */
const BATCH = 10;
/** Messages kept ready in the queue until the handover: every consumer's prefetch stays full. */
const BACKLOG = 3 * PREFETCH;
const SENTINEL_TS = 100_000_000;

let broker: TestBroker;
beforeAll(async () => {
  broker = await TestBroker.open();
});
afterAll(async () => {
  await broker?.close();
});

function linesWritten(dir: string): number {
  try {
    return readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

describe('source.amqp handed over with unread deliveries', () => {
  it('a second worker joins while the first holds all consumers with full prefetches: every window exact', async () => {
    const queue = await broker.queue('handover');
    const prefix = `${TEST_KEY_ROOT}:amqp-handover:${randomUUID()}`;
    const dir = tmpAmqpHandover();
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`this drill needs the Redis at ${REDIS} (set REDIS_URL)`);
    const first = spawnWorkers(1, { redisUrl: REDIS, prefix });
    let second: ChildProcess | undefined;
    const all = orders(200_000);
    const sent: Order[] = [];
    const sendMore = async (n: number) => {
      const next = all.slice(sent.length, sent.length + n);
      if (next.length < n) throw new Error('the drill ran out of orders before the handover');
      await broker.send(queue, ...next);
      sent.push(...next);
    };
    let sentinels = 0;
    try {
      const source = {
        type: 'source.amqp',
        config: {
          url: TEST_AMQP_URL,
          passwordSecret: TEST_PASSWORD_SECRET,
          queue,
          ackAfterCheckpoint: true,
          prefetch: PREFETCH,
          timeField: 'ts',
        },
      };
      const handle = await runner.deploy(windowDoc(source, PARTITIONS), { baseDir: dir, batchSize: BATCH });
      const running = () => {
        if (handle.status() !== 'running') throw new Error(`the run ended (${handle.status()})`);
      };
      const firstPid = first.processes[0]!.pid;
      await waitUntil(
        async () => {
          running();
          return (await holderPids(REDIS, prefix, PARTITIONS)).every((pid) => pid === firstPid);
        },
        60_000,
        'the first worker holds all 3 consumers',
      );
      // A backlog before the second worker starts, kept until it has taken a consumer over.
      await sendMore(BACKLOG);
      second = spawnWorker({ redisUrl: REDIS, prefix });
      const secondPid = second.pid;
      await waitUntil(
        async () => {
          running();
          if ((await holderPids(REDIS, prefix, PARTITIONS)).includes(secondPid)) return true;
          if ((await broker.ready(queue)) < BACKLOG) await sendMore(PREFETCH);
          return false;
        },
        120_000,
        'the second worker took a consumer over',
      );
      await sendMore(2 * PREFETCH);
      const expected = expectedWindows(sent);
      // Sentinels far in the future move every consumer's watermark past the last order window.
      await waitUntil(
        async () => {
          running();
          if (linesWritten(dir) >= expected.length) return true;
          await broker.send(
            queue,
            ...Array.from({ length: 6 }, (_, i) => ({ order: -1, key: 'end', amount: 0, ts: SENTINEL_TS + sentinels + i })),
          );
          sentinels += 6;
          return false;
        },
        240_000,
        `all ${expected.length} windows written`,
      );
      const result = await handle.stop();
      expect(result.status, result.error).toBe('stopped');
      const diff = compareOutputs(expected, writtenWindows(dir));
      const late = result.metrics.nodes.win?.late ?? 0;
      expect({ late, lost: diff.lost, duplicated: diff.duplicated, wrong: diff.wrong }, JSON.stringify(diff.examples)).toEqual({
        late: 0,
        lost: 0,
        duplicated: 0,
        wrong: 0,
      });
      expect(diff.actual).toBe(expected.length);
      // Every message read once or back in the queue after the stop (none read twice).
      const read = result.metrics.nodes.orders?.out ?? 0;
      expect(read + (await broker.ready(queue))).toBe(sent.length + sentinels);
    } finally {
      await first.stop();
      if (second) await stopProcess(second, 'SIGTERM', 10_000);
      await runner.close();
      await deletePrefixKeys(REDIS, prefix);
    }
  }, 420_000);
});
