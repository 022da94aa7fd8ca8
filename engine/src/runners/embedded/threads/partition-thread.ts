/**
 * The entry of a pooled partition thread (thread-pool.ts, docs/embedded-threads.md): it hosts
 * the parts of any number of runs. For each run the pool posts the part's init and ports; the
 * thread loads the plugins it has not loaded yet (tsx first, when the engine runs as
 * TypeScript), builds the part (thread-part.ts) and answers `ready` or `startFailed` on the
 * run's own control port. A part lives until the run releases it or closes its port.
 */
import { parentPort } from 'node:worker_threads';
import { loadedPlugins, loadPlugins } from '../../../plugins/load-plugins.js';
import { StartFailure } from '../../../runtime/node-errors.js';
import type { HostMessage } from './thread-pool.js';
import { threadPlan } from './thread-placement.js';
import { PartitionThread, REPORT_EVERY_MS } from './thread-part.js';
import type { FromThread, PeerMessage, ToThread } from './thread-protocol.js';

let tsxRegistered = false;
/** Parts build one at a time: two runs loading the same plugin must not load it twice. */
let building: Promise<void> = Promise.resolve();

async function startPart({ init, control, peers }: HostMessage): Promise<void> {
  let part: PartitionThread | undefined;
  // Messages that come while the part builds wait for it.
  const early: (() => void)[] = [];
  let gone = false;
  control.on('message', (m: ToThread) => {
    if (m.t === 'release') gone = true;
    if (part) part.onMain(m);
    else early.push(() => part!.onMain(m));
  });
  control.on('close', () => {
    gone = true;
    if (part) part.release();
    else for (const p of peers) p?.close();
  });
  for (const [from, p] of peers.entries())
    p?.on('message', (m: PeerMessage) => {
      if (part) part.onPeer(from, m);
      else early.push(() => part!.onPeer(from, m));
    });
  let built: PartitionThread;
  try {
    const previous = building;
    let done!: () => void;
    building = new Promise((r) => (done = r));
    try {
      await previous;
      if (init.tsx && init.plugins.length > 0 && !tsxRegistered) {
        ((await import(init.tsx)) as { register: () => void }).register();
        tsxRegistered = true;
      }
      const have = new Set(loadedPlugins());
      await loadPlugins(init.plugins.filter((p) => !have.has(p)));
      // The plan after the plugins: their node types are in it.
      built = new PartitionThread(init, threadPlan(init.document, init.partitions), control, peers);
      await built.build();
    } finally {
      done();
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The run closes the control port (and so the part's ports) when it has read this.
    control.postMessage({ t: 'startFailed', message, ...(err instanceof StartFailure ? { node: err.nodeId } : {}) } satisfies FromThread);
    return;
  }
  part = built;
  if (gone) {
    part.release();
    return;
  }
  control.postMessage({ t: 'ready' } satisfies FromThread);
  for (const run of early) run();
  // A part without tasks (or whose inputs all ended already) says so without waiting for a message.
  part.enqueue(() => {});
  const timer = setInterval(() => part.report(), REPORT_EVERY_MS);
  control.once('close', () => clearInterval(timer));
}

parentPort!.on('message', (m: HostMessage) => {
  if (m.t === 'run') void startPart(m);
});
