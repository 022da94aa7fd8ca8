/**
 * kill -9 of the busiest worker (the one holding the sink queue's job) at 30 % and again at
 * 70 % of the windows: its jobs go to the others after BullMQ's stall check, and the sink file
 * still equals the embedded engine's output, each window once, as many as the run reports.
 * Then the same on the sources-on-workers path (issue 17): YSB's source split in 4 partitions
 * across 3 workers, and the worker killed is the one holding the most source partitions, whose
 * leases expire and are taken over by the others (docs/source-partitions.md), paced and unpaced.
 */
import { describe, it } from 'vitest';
import { drillStarter, expectExact, FULL, type YsbDrill } from './support/ysb-drill.js';

/** The split-source drill: 1 M events (`pnpm test:faults --full`), 200 k in CI; SLUICE_DRILL_EVENTS overrides. */
const SPLIT_EVENTS = Number(process.env.SLUICE_DRILL_EVENTS) || (FULL ? 1_000_000 : 200_000);

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

  it('sources split across workers: the worker holding the most source partitions at 30 % and at 70 %: exact output', async () => {
    // Paced, as the other split drills (events/s; the reference is paced the same).
    const rate = FULL ? 40_000 : 8_000;
    await killSplitHolders(
      await startDrill({ events: SPLIT_EVENTS, workers: 3, lockMs: 3_000, sourceParallelism: 4, sourceLeaseMs: 2_000, rate }),
    );
  }, 1_800_000);

  it('sources split across workers, unpaced (1 M events): the worker holding the most source partitions at 30 % and at 70 %: exact output', async () => {
    // As fast as the workers read: batches are full and the kills land mid-batch, between a
    // pending mark and its checkpoint (the run that was once not exact, bench/results/faults-full.md).
    // The reference is the first drill's (1 M events, unpaced), computed once.
    await killSplitHolders(await startDrill({ events: 1_000_000, workers: 3, lockMs: 3_000, sourceParallelism: 4, sourceLeaseMs: 2_000 }));
  }, 1_800_000);
});

/** kill -9 at 30 % and 70 % of the windows of the worker holding the most source partitions; then the verdict. */
async function killSplitHolders(drill: YsbDrill): Promise<void> {
  for (const share of [0.3, 0.7]) {
    await drill.waitForShare(share);
    // The source partitions' holders now; once every partition has ended (or between two
    // holders), a live worker: the paced sink is often between batches, so none holds its queue.
    const holders = (await drill.sourceHolders()).flatMap((h) => (typeof h === 'object' ? [h.pid] : []));
    const most = [...new Set(holders)].sort((a, b) => holders.filter((p) => p === b).length - holders.filter((p) => p === a).length)[0];
    const alive = drill.workers.filter((w) => w.exitCode === null && w.signalCode === null);
    const victim = alive.find((w) => w.pid === most) ?? alive[0]!;
    const exited = new Promise((r) => victim.once('exit', r));
    victim.kill('SIGKILL');
    await exited;
  }
  expectExact(await drill.finish());
}
