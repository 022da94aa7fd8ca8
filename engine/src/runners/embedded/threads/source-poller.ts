/**
 * The polling of the source partitions placed in a partition thread (thread-part.ts): jobs of a
 * few rounds of one batch from each, queued behind the thread's other messages, the next one
 * scheduled at once, or after the batch delay when every source was starved. Polling runs from
 * the main thread's `go` until a pause or close, and waits while a peer thread lags.
 */
import type { SourceOperator } from '@sluice/nodes/sdk';
import type { NodeInstance } from '../../../runtime/node-instance.js';
import { routeSourceBatch } from '../../../runtime/source-step.js';
import type { Task } from '../../../runtime/task.js';
import type { PeerAlignment } from './peer-alignment.js';

/** Rounds of polls one job runs (fewer, larger messages to the peers), unless it takes longer than this. */
const POLL_ROUNDS_PER_JOB = 4;
const POLL_JOB_MS = 20;

/** A source partition polled in this thread. */
export interface PolledSource {
  key: string;
  nodeId: string;
  source: SourceOperator;
  instance: NodeInstance;
  task: Task;
  ended: boolean;
  /** Left in the thread for the next part (a hot redeploy keeps it): not closed here. */
  handedOff: boolean;
  /** The source's watermark after its last batch, and whether that poll got less than asked (peer-alignment.ts). */
  watermark: number;
  idle: boolean;
}

/** What the poller needs from its part. */
export interface PollerHost {
  /** Queue a job behind the part's messages (thread-part.ts runs them one at a time). */
  enqueue(run: () => Promise<void>): void;
  closed(): boolean;
  /** A peer lags: its ack schedules the next job. */
  backlogged(): boolean;
  /** Watermark alignment: whether a split source's partition may poll, and what a round leaves to tell the peers. */
  alignment: PeerAlignment;
}

/** A round whose every source waited for its peers (alignment) looks again after this, in case no report comes. */
const ALIGNED_RETRY_MS = 50;

export class SourcePoller {
  readonly sources: PolledSource[] = [];
  /** Polling allowed (after the main thread's `go`, until a pause or close). */
  polling = false;
  private scheduled = false;

  constructor(
    private readonly host: PollerHost,
    private readonly batchSize: number,
    private readonly batchDelayMs: number,
  ) {}

  schedule(delayMs = 0): void {
    if (this.scheduled || !this.polling || this.host.closed() || this.host.backlogged()) return;
    if (!this.sources.some((s) => !s.ended)) return;
    this.scheduled = true;
    const go = () => this.host.enqueue(() => this.round());
    if (delayMs > 0) setTimeout(go, delayMs);
    else setImmediate(go);
  }

  /**
   * Rounds of one batch from every source partition polled here, then the next job (later, when
   * all were starved). The first round runs whatever the clock says: a thread descheduled between
   * reading the clock and checking it (a loaded machine) ran no round, and a job without a round
   * scheduled no next one, so its sources stopped for good and the run never ended.
   */
  private async round(): Promise<void> {
    this.scheduled = false;
    if (!this.polling || this.host.backlogged()) return; // an ack from the backlogged peer schedules the next round
    const started = performance.now();
    let allStarved = false;
    let allHeld = false;
    for (let round = 1; ; round++) {
      let active = 0;
      let starved = 0;
      let held = 0;
      for (const slot of this.sources) {
        if (slot.ended) continue;
        if (!this.host.alignment.mayPoll(slot)) {
          held++;
          continue;
        }
        active++;
        const asked = this.batchSize;
        const batch = await slot.source.poll(asked);
        // Released or failed: nothing reaches a sink any more. A close (a graceful stop) that came
        // during the poll waits behind this job, and the source has moved past this batch (an
        // acknowledgement on read, a position): it is processed before the close flushes the sinks.
        if (this.host.closed()) return;
        routeSourceBatch(slot.instance, slot.task, batch);
        slot.watermark = batch.watermark;
        slot.idle = !batch.done && batch.events.length < asked;
        if (batch.done) slot.ended = true;
        else if (slot.idle) starved++;
        if (!this.polling) return;
      }
      this.host.alignment.report(this.sources);
      allStarved = active > 0 && starved === active;
      allHeld = active === 0 && held > 0;
      if (active === 0 || starved > 0 || round >= POLL_ROUNDS_PER_JOB || performance.now() - started >= POLL_JOB_MS) break;
    }
    // Held back by alignment: a peer's report schedules the next round (the retry is in case none
    // comes). Nothing is scheduled once every source polled here has ended.
    if (allHeld) setTimeout(() => this.schedule(), ALIGNED_RETRY_MS);
    else this.schedule(allStarved ? this.batchDelayMs : 0);
  }
}
