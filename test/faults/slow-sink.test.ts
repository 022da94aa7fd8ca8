/**
 * A slow sink: every few batches the sink's write blocks its worker's event loop for longer
 * than the BullMQ lock (a synchronous write on a stuck disk does that), so the job stalls,
 * another worker applies it, and the slow worker writes its copy late. The late copy must land
 * on the same bytes: the file equals the embedded engine's output and the run's count.
 * The slowness is a worker drill setting (SLUICE_DRILL_SLOW_SINK, worker-pool.ts), not a node setting.
 */
import { describe, it } from 'vitest';
import { drillStarter, expectExact, FULL } from './support/ysb-drill.js';
import { waitUntil } from './support/wait-until.js';

const EVENTS = FULL ? 12_000_000 : 1_000_000;
const LOCK_MS = FULL ? 10_000 : 2_000;

const startDrill = drillStarter();

describe('a sink slower than the job lock', () => {
  it('late writes of a stalled job land on the same bytes: none lost, none twice', async () => {
    const drill = await startDrill({
      events: EVENTS,
      workers: 2,
      lockMs: FULL ? undefined : LOCK_MS,
      slowSink: { ms: LOCK_MS * 1.5, every: FULL ? 200 : 40 },
    });
    // Jobs do outlive their lock: a claim is taken over by the other worker (read mid-run: the run's end deletes its keys).
    await waitUntil(async () => (await drill.abandonedSinkClaims()) > 0, 300_000, 'a sink job taken over');
    expectExact(await drill.finish());
  }, 900_000);
});
