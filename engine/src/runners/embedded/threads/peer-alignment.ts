/**
 * Watermark alignment between partition threads (docs/watermark-alignment.md): the partitions of
 * a split source polled in different threads read in step. Each thread tells its peers, per
 * source node, the alignment watermark of its partitions of it (runtime/source-alignment.ts)
 * whenever that changes; a partition more than the drift ahead of the lowest peer waits, and a
 * peer's report that lets it go on schedules the next poll.
 *
 * Measured on keyed YSB at 2 threads: without it one thread ran minutes of event time ahead of
 * the other, so each key of the window held tens of open windows and every lookup walked them.
 */
import type { Plan } from '../../../compile/plan.js';
import { sourceKey } from '../../../runtime/operator-build.js';
import { alignmentWatermark, lowestPeer, mayPoll } from '../../../runtime/source-alignment.js';
import { threadOf } from './thread-placement.js';

export interface AlignedSlot {
  nodeId: string;
  ended: boolean;
  /** The source's watermark after its last batch (NEGATIVE_INFINITY before the first). */
  watermark: number;
  /** Its last poll got fewer events than asked. */
  idle: boolean;
}

export class PeerAlignment {
  /** Per source node split across threads: each thread's last reported alignment watermark. */
  private readonly peers = new Map<string, number[]>();
  private readonly sent = new Map<string, number>();

  /**
   * `splitNodes`: source nodes with partitions polled in more than one thread. `send` posts this
   * thread's value for a node to every peer.
   */
  constructor(
    private readonly self: number,
    threads: number,
    splitNodes: Iterable<string>,
    private readonly maxDriftMs: number,
    private readonly send: (nodeId: string, watermark: number) => void,
  ) {
    if (maxDriftMs === Number.POSITIVE_INFINITY) return;
    // Unknown peers hold nothing back: a thread that has not polled yet reports after its first round.
    for (const id of splitNodes) this.peers.set(id, new Array<number>(threads).fill(Number.POSITIVE_INFINITY));
  }

  /** Whether this slot may poll now. */
  mayPoll(slot: AlignedSlot): boolean {
    const peers = this.peers.get(slot.nodeId);
    if (peers === undefined) return true;
    return mayPoll(slot.watermark, lowestPeer(peers, this.self), this.maxDriftMs);
  }

  /** After a round of polls: what changed goes to the peers. */
  report(slots: readonly AlignedSlot[]): void {
    if (this.peers.size === 0) return;
    const own = new Map<string, number>();
    for (const s of slots) {
      if (!this.peers.has(s.nodeId)) continue;
      const v = alignmentWatermark(s.watermark, s.ended, s.idle);
      own.set(s.nodeId, Math.min(own.get(s.nodeId) ?? Number.POSITIVE_INFINITY, v));
    }
    for (const [id, v] of own) {
      if (this.sent.get(id) === v) continue;
      this.sent.set(id, v);
      this.send(id, v);
    }
  }

  /** A peer's report; true when it may let a held slot go on (its value rose). */
  received(from: number, nodeId: string, watermark: number): boolean {
    const peers = this.peers.get(nodeId);
    if (peers === undefined) return false;
    const was = peers[from]!;
    peers[from] = watermark;
    return watermark > was;
  }
}

/** Source nodes whose partitions polled in threads (not dealt by the main thread) are in more than one thread. */
export function splitSources(plan: Plan, init: { threads: number; fedByMain: readonly string[] }): string[] {
  const fedByMain = new Set(init.fedByMain);
  const out: string[] = [];
  for (const stage of plan.stages) {
    if (stage.source === undefined) continue;
    const threads = new Set<number>();
    for (let p = 0; p < stage.partitions; p++) if (!fedByMain.has(sourceKey(stage.source, p))) threads.add(threadOf(p, init.threads));
    if (threads.size > 1) out.push(stage.source);
  }
  return out;
}
