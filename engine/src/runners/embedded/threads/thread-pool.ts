/**
 * The process's partition threads (docs/embedded-threads.md): started once, on the first threaded
 * run that needs them, and kept for every later run, so a run does not pay for loading the engine
 * in a thread (seconds on a loaded machine). Each worker hosts the parts of any number of runs
 * (partition-thread.ts); a run talks to its part over a MessageChannel of its own. Workers are
 * unref'd: an idle pool never keeps the process alive. A worker that exits is dropped (the runs
 * on it fail) and the next run starts a new one in its place.
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { threadEntry } from './thread-entry.js';
import type { ThreadInit } from './thread-protocol.js';

/** What the pool posts to a worker: a new run part, with its ports. */
export interface HostMessage {
  t: 'run';
  init: ThreadInit;
  control: MessagePort;
  peers: (MessagePort | null)[];
}

export interface PoolThread {
  readonly index: number;
  /** Calls `onExit` when the worker dies; returns the unsubscribe. */
  watch(onExit: (message: string) => void): () => void;
  startPart(m: HostMessage): void;
}

class PooledWorker implements PoolThread {
  private readonly exits = new Set<(message: string) => void>();
  alive = true;

  constructor(
    readonly index: number,
    readonly worker: Worker,
    onGone: () => void,
  ) {
    worker.unref();
    const gone = (message: string) => {
      if (!this.alive) return;
      this.alive = false;
      onGone();
      for (const f of this.exits) f(message);
    };
    worker.on('error', (err) => gone(`partition thread ${index} failed: ${err instanceof Error ? err.message : String(err)}`));
    worker.on('exit', (code) => gone(`partition thread ${index} exited (code ${code})`));
  }

  watch(onExit: (message: string) => void): () => void {
    this.exits.add(onExit);
    return () => this.exits.delete(onExit);
  }

  startPart(m: HostMessage): void {
    this.worker.postMessage(m, [m.control, ...m.peers.filter((p): p is MessagePort => p !== null)]);
  }
}

/**
 * A partition thread's young generation: what `--max-semi-space-size=64` gives the main thread
 * (`pnpm start`, `sluice`; young = 3 semi-spaces). A worker does not take that flag: left to its
 * default, its young generation was scavenged at about 27 MB against the main thread's 54, and
 * the events of a batch in flight were copied twice as often.
 */
const THREAD_YOUNG_GENERATION_MB = 192;

const pool: (PooledWorker | undefined)[] = [];

/** Threads 0..n-1 of the pool, started when missing. */
export async function poolThreads(n: number): Promise<PoolThread[]> {
  const entry = await threadEntry();
  const out: PoolThread[] = [];
  for (let i = 0; i < n; i++) {
    let w = pool[i];
    if (!w?.alive) {
      const at = i;
      w = new PooledWorker(i, new Worker(entry, { resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } }), () => {
        if (pool[at] === w) pool[at] = undefined;
      });
      pool[i] = w;
    }
    out.push(w);
  }
  return out;
}

/** Threads the pool holds (started, not exited). */
export function poolSize(): number {
  return pool.filter((w) => w?.alive).length;
}

/** End every pooled thread (a bench or a test that wants a clean process). */
export async function closeThreadPool(): Promise<void> {
  const all = pool.splice(0).filter((w): w is PooledWorker => w !== undefined);
  await Promise.all(all.map((w) => w.worker.terminate()));
}
