/**
 * kill -9 of the busiest worker (the one holding the sink queue's job) at 30 % and again at
 * 70 % of the windows: its jobs go to the others after BullMQ's stall check, and the sink file
 * still equals the embedded engine's output, each window once, as many as the run reports.
 */
import { describe, it } from 'vitest';
import { drillStarter, expectExact, FULL } from './support/ysb-drill.js';

const EVENTS = FULL ? 12_000_000 : 1_000_000;
const LOCK_MS = FULL ? undefined : 3_000;

const startDrill = drillStarter();

describe('a worker killed with SIGKILL mid-run', () => {
  it('at 30 % and at 70 % of the windows: none lost, none twice, and the summary counts what the file holds', async () => {
    const drill = await startDrill({ events: EVENTS, workers: 3, lockMs: LOCK_MS });
    for (const share of [0.3, 0.7]) {
      await drill.waitForShare(share);
      const holder = await drill.sinkHolder();
      const exited = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await exited;
    }
    expectExact(await drill.finish());
  }, 900_000);
});
