/**
 * The parts of one plan of a threaded embedded run in the pool's threads (thread-pool.ts), seen
 * from the main thread: starting them (every one built, or a StartFailure and none left),
 * dealing them source batches with a bound on what waits unprocessed, the quiet point a hot
 * redeploy needs, and closing them. A part that throws, or a thread that exits, fails the run
 * through `onFailure`; every wait here then ends at once, so nothing hangs.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { StateSnapshot } from '@sluice/nodes/sdk';
import { StartFailure } from '../../../runtime/node-errors.js';
import { type PoolThread, poolThreads } from './thread-pool.js';
import type { FromThread, MetricsReport, SourceItem, ThreadInit, ToThread } from './thread-protocol.js';

/** Source batches a thread may have waiting before the main thread stops polling: enough to keep it busy. */
const MAX_IN_FLIGHT = 4;

/** Run parts alive in the pool's threads, for tests ("nothing left running after stop"). */
let alive = 0;
export function liveThreadCount(): number {
  return alive;
}

export interface ThreadEvents {
  onMetrics(thread: number, report: MetricsReport): void;
  onTap(edge: string, events: unknown[]): void;
  onLine(text: string): void;
  onFailure(message: string): void;
}

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

export class ThreadSet {
  private readonly controls: MessagePort[] = [];
  private readonly unwatch: (() => void)[] = [];
  private readonly inFlight: number[];
  private readonly done: boolean[];
  private readonly closed: boolean[];
  private waiters: Waiter[] = [];
  private replies: FromThread[][] = [];
  private ending = false;
  failure: string | undefined;

  private constructor(
    readonly threads: number,
    private readonly events: ThreadEvents,
  ) {
    this.inFlight = new Array(threads).fill(0);
    this.done = new Array(threads).fill(false);
    this.closed = new Array(threads).fill(false);
    this.replies = Array.from({ length: threads }, () => []);
  }

  /** Start a part in each of `threads` pooled threads, each with its own init; resolves when all are built. */
  static async start(threads: number, init: (index: number) => ThreadInit, events: ThreadEvents): Promise<ThreadSet> {
    const set = new ThreadSet(threads, events);
    const ports: (MessagePort | null)[][] = Array.from({ length: threads }, () => new Array(threads).fill(null));
    for (let a = 0; a < threads; a++)
      for (let b = a + 1; b < threads; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]![b] = port1;
        ports[b]![a] = port2;
      }
    const pooled = await poolThreads(threads);
    const starts: Promise<void>[] = [];
    for (let i = 0; i < threads; i++) {
      const { port1, port2 } = new MessageChannel();
      alive++;
      set.controls.push(port1);
      starts.push(set.watch(i, pooled[i]!, port1));
      pooled[i]!.startPart({ t: 'run', init: init(i), control: port2, peers: ports[i]! });
    }
    try {
      await Promise.all(starts);
    } catch (err) {
      await set.terminate();
      throw err;
    }
    return set;
  }

  /** Resolves when part `i` is built; rejects with its StartFailure, or when its thread dies first. */
  private watch(i: number, thread: PoolThread, control: MessagePort): Promise<void> {
    return new Promise((resolve, reject) => {
      let started = false;
      control.on('message', (m: FromThread) => {
        if (m.t === 'ready') {
          started = true;
          resolve();
        } else if (m.t === 'startFailed')
          reject(m.node ? new StartFailure(m.node, new Error(m.message)) : new Error(`partition thread ${i}: ${m.message}`));
        else this.onMessage(i, m);
      });
      this.unwatch.push(
        thread.watch((message) => {
          if (!started) reject(new Error(message));
          else this.fail(message);
        }),
      );
    });
  }

  private onMessage(i: number, m: FromThread): void {
    switch (m.t) {
      case 'ack':
        this.inFlight[i]!--;
        break;
      case 'metrics':
        this.events.onMetrics(i, m.report);
        break;
      case 'tap':
        this.events.onTap(m.edge, m.events);
        break;
      case 'line':
        this.events.onLine(m.text);
        break;
      case 'done':
        this.done[i] = true;
        break;
      case 'closed':
        this.closed[i] = true;
        break;
      case 'failed':
        this.fail(`partition thread ${i} failed: ${m.message}`);
        break;
      default:
        this.replies[i]!.push(m);
    }
    this.wake();
  }

  private fail(message: string): void {
    if (this.failure !== undefined || this.ending) return;
    this.failure = message;
    this.events.onFailure(message);
    this.wake();
  }

  private wake(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters)
      if (this.failure !== undefined || w.ready()) w.resolve();
      else still.push(w);
    this.waiters = still;
  }

  /** Resolves when `ready()` holds or the set failed (the caller checks `failure`). */
  until(ready: () => boolean): Promise<void> {
    if (this.failure !== undefined || ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  /** Wake a waiter whose condition depends on something outside the set (a stop). */
  poke(): void {
    this.wake();
  }

  post(i: number, m: ToThread, transfer?: ArrayBuffer[]): void {
    if (m.t === 'src' && m.ack) this.inFlight[i]!++;
    this.controls[i]!.postMessage(m, transfer);
  }

  broadcast(m: ToThread): void {
    for (let i = 0; i < this.threads; i++) this.post(i, m);
  }

  /** Send each thread its items of one source batch (the thread with events acks it). */
  dealSource(items: Map<number, SourceItem[]>): void {
    for (const [i, list] of items) {
      const transfer = list.flatMap((it) => (it.buf ? [it.buf] : []));
      this.post(i, { t: 'src', items: list, ack: transfer.length > 0 }, transfer);
    }
  }

  hasRoom(): boolean {
    return this.inFlight.every((n) => n < MAX_IN_FLIGHT);
  }

  allIdle(): boolean {
    return this.inFlight.every((n) => n === 0);
  }

  allDone(): boolean {
    return this.done.every(Boolean);
  }

  /** One reply of kind `t` from every thread, in thread order. */
  private async gather<T extends FromThread['t']>(t: T): Promise<Extract<FromThread, { t: T }>[]> {
    const has = (i: number) => this.replies[i]!.some((m) => m.t === t);
    await this.until(() => this.replies.every((_, i) => has(i)));
    if (this.failure !== undefined) throw new Error(this.failure);
    return this.replies.map((list) => {
      const at = list.findIndex((m) => m.t === t);
      return list.splice(at, 1)[0] as Extract<FromThread, { t: T }>;
    });
  }

  /**
   * Wait until nothing is on its way between threads: every source batch acked, then probes until
   * two rounds in a row count the same messages sent and received (threads only send while
   * handling what they received, so nothing is in flight then).
   */
  async quiesce(flush = false): Promise<void> {
    await this.until(() => this.allIdle());
    let last = '';
    for (;;) {
      this.broadcast({ t: 'probe', ...(flush ? { flush } : {}) });
      const counts = await this.gather('counts');
      const sent = counts.reduce((s, c) => s + c.sent, 0);
      const received = counts.reduce((s, c) => s + c.received, 0);
      const now = `${sent}/${received}`;
      if (sent === received && now === last) return;
      last = now;
    }
  }

  /** Stop the sources the threads poll themselves (after the batch each is in). */
  async pause(): Promise<void> {
    this.broadcast({ t: 'pause' });
    await this.gather('paused');
  }

  /**
   * The state of `nodes` in every thread (after their sinks flushed), as `node#partition` entries;
   * kept sources a thread polls stay in that thread under `handoff` for the next part there.
   */
  async snapshot(nodes: string[], handoff: string): Promise<[string, StateSnapshot][]> {
    this.broadcast({ t: 'snapshot', nodes, handoff });
    return (await this.gather('state')).flatMap((s) => s.entries);
  }

  /**
   * Flush and close every operator, then end the threads. A failed set just ends them. Before the
   * close, the sources stop and the sinks flush until nothing moves between threads: what a sink
   * flush emits onto an exchange (an HTTP sink's refused events) reaches its partition in another
   * thread before that thread closes (after its close it was lost, at the end of input too).
   */
  async close(): Promise<void> {
    if (this.failure === undefined) {
      await this.pause();
      await this.quiesce(true);
    }
    if (this.failure === undefined) {
      this.broadcast({ t: 'close' });
      await this.until(() => this.closed.every(Boolean));
    }
    const failure = this.failure;
    await this.terminate();
    if (failure !== undefined) throw new Error(failure);
  }

  /** Drop the parts from their threads (the threads stay in the pool for the next run). */
  async terminate(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    for (const off of this.unwatch) off();
    for (const port of this.controls) {
      port.postMessage({ t: 'release' } satisfies ToThread);
      port.close();
      alive--;
    }
    this.wake();
  }
}
