/**
 * What a partition thread sends its peer threads (thread-part.ts): the items one job produced for
 * each peer, posted as one message per peer when the job ends (a message costs more than a small
 * batch), and the count of those messages each peer has not handled yet, which holds back the
 * sources polled here while a peer lags (their acks let them go on).
 */
import type { MessagePort } from 'node:worker_threads';
import type { PeerItem, PeerMessage } from './thread-protocol.js';

/** Messages sent to one peer thread and not yet handled there: the sources here wait beyond this. */
const MAX_PEER_IN_FLIGHT = 4;

export class PeerOutbox {
  /** Items handed to `add` (events and watermarks), for the quiet-point probe. */
  sent = 0;
  private readonly unacked: number[];
  private readonly boxes: { items: PeerItem[]; transfer: ArrayBuffer[] }[];

  /** `released`: the run let go of the part (its ports are closed): nothing is sent any more. */
  constructor(
    private readonly peers: (MessagePort | null)[],
    private readonly released: () => boolean,
  ) {
    this.unacked = new Array(peers.length).fill(0);
    this.boxes = Array.from({ length: peers.length }, () => ({ items: [], transfer: [] }));
  }

  add(thread: number, item: PeerItem, buf?: ArrayBuffer): void {
    if (this.released()) return;
    this.sent++;
    const box = this.boxes[thread]!;
    box.items.push(item);
    if (buf) box.transfer.push(buf);
  }

  /** What the job just run produced for each peer, as one message each (their order kept). */
  flush(): void {
    for (let t = 0; t < this.boxes.length; t++) {
      const box = this.boxes[t]!;
      if (box.items.length === 0) continue;
      if (!this.released()) {
        this.unacked[t]!++;
        this.peers[t]!.postMessage({ t: 'items', items: box.items } satisfies PeerMessage, box.transfer);
      }
      this.boxes[t] = { items: [], transfer: [] };
    }
  }

  backlogged(): boolean {
    for (const n of this.unacked) if (n >= MAX_PEER_IN_FLIGHT) return true;
    return false;
  }

  /** Peer `from` handled a message; true when that ended a backlog (the sources here may go on). */
  acked(from: number): boolean {
    const was = this.backlogged();
    this.unacked[from]!--;
    return was && !this.backlogged();
  }
}
