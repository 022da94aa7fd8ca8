/**
 * Issue 10, item 3: the busiest worker (the one holding the sink queue's job) is stopped with
 * SIGSTOP past its BullMQ lock, so its job is handed to another worker, then woken with SIGCONT
 * while the run goes on. A woken worker is stale: whatever it still does must not reach the
 * sink file. The file must equal the embedded engine's output, and the run's count.
 */
import { describe, expect, it } from 'vitest';
import { drillStarter, expectExact, FULL } from './support/ysb-drill.js';
import { waitUntil } from './support/wait-until.js';

const EVENTS = FULL ? 12_000_000 : 1_000_000;
const WORKERS = FULL ? 3 : 2;
const LOCK_MS = FULL ? undefined : 3_000;
/** The pause; at CI sizes the pause lasts until another worker has moved the sink on. */
const MIN_PAUSE_MS = FULL ? 20_000 : 0;

const startDrill = drillStarter();

describe('a worker paused past its lock, then woken (SIGSTOP / SIGCONT)', () => {
  it('at 10 %, 40 % and 70 % of the windows: none lost, none twice, and the summary counts what the file holds', async () => {
    const drill = await startDrill({ events: EVENTS, workers: WORKERS, lockMs: LOCK_MS });
    let takenOver = 0; // read mid-run: the run's end deletes its keys
    for (const share of [0.1, 0.4, 0.7]) {
      await drill.waitForShare(share);
      const holder = await drill.sinkHolder();
      const before = await drill.committedRows();
      const since = Date.now();
      drill.pause(holder);
      // Stopped until another worker took the sink's job over and committed more windows.
      await waitUntil(async () => (await drill.committedRows()) > before && Date.now() - since >= MIN_PAUSE_MS, 300_000, 'another worker moved the sink on');
      takenOver = Math.max(takenOver, await drill.abandonedSinkClaims());
      drill.resume(holder);
    }
    expectExact(await drill.finish());
    // The stopped worker's claims were taken over: its late work was fenced, not absent.
    expect(takenOver).toBeGreaterThan(0);
  }, 900_000);
});
