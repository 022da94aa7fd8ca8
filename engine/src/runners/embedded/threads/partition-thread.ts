/**
 * The entry of one partition thread of a threaded embedded run (docs/embedded-threads.md): it
 * builds the tasks the placement gives it (thread-placement.ts), runs the source batches the
 * main thread deals it and the batches other threads send it, and reports metrics, taps,
 * console lines and the end of its input to the main thread. Every message, whichever port it
 * came from, is handled in arrival order by one loop, so a sink flush or a close never runs in
 * the middle of a batch.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Event } from '@sluice/shared';
import type { SourceOperator } from '@sluice/nodes/sdk';
import type { Plan, PlanEdge, PlanStage } from '../../../compile/plan.js';
import { RunMetrics } from '../../../metrics/run-metrics.js';
import { loadPlugins } from '../../../plugins/load-plugins.js';
import { StartFailure } from '../../../runtime/node-errors.js';
import type { NodeInstance } from '../../../runtime/node-instance.js';
import { buildOperators, sourceKey } from '../../../runtime/operator-build.js';
import { keyPartitioner, type Partitioner } from '../../../runtime/partitioner.js';
import { routeSourceBatch } from '../../../runtime/source-step.js';
import { Task, type TaskOutput } from '../../../runtime/task.js';
import { runContext } from '../embedded-run.js';
import { decodeBatch, encodeBatch } from './thread-batch-codec.js';
import { threadOf, threadPlan } from './thread-placement.js';
import type { FromThread, MetricsReport, PeerMessage, SourceItem, ThreadInit, ToThread } from './thread-protocol.js';

const REPORT_EVERY_MS = 200;
const SINK_FLUSH_MS = 200;

interface Data {
  init: ThreadInit;
  peers: (MessagePort | null)[];
}

/** A source stage's node in this thread: fed by the main thread's batches, never polled here. */
const fedByMain: SourceOperator = {
  poll: () => Promise.resolve({ events: [], watermark: Number.NEGATIVE_INFINITY, done: false }),
};

class PartitionThread implements TaskOutput {
  /** stage -> partition -> task, for the partitions this thread runs. */
  private readonly tasks = new Map<number, Map<number, Task>>();
  private readonly sources = new Map<string, NodeInstance>();
  private readonly partitioners = new Map<number, Partitioner>();
  private readonly exchangeOut = new Map<number, PlanEdge[]>();
  private readonly metrics: RunMetrics;
  private readonly edgeCounts = new Map<string, number>();
  private readonly edges: Map<string, PlanEdge>;
  private tapped = new Set<string>();
  private sentToPeers = 0;
  private receivedFromPeers = 0;
  private doneSent = false;
  private lastFlush = performance.now();
  private readonly queue: (() => Promise<void> | void)[] = [];
  private pumping = false;
  private closed = false;

  constructor(
    private readonly init: ThreadInit,
    private readonly plan: Plan,
    private readonly peers: (MessagePort | null)[],
  ) {
    this.metrics = new RunMetrics(plan, Date.now);
    this.edges = new Map(plan.edges.map((e) => [e.id, e]));
    this.tapped = new Set(init.tapped);
  }

  private post(m: FromThread, transfer?: ArrayBuffer[]): void {
    parentPort!.postMessage(m, transfer);
  }

  private mine(partition: number): boolean {
    return threadOf(partition, this.init.threads) === this.init.index;
  }

  async build(): Promise<void> {
    const { init, plan } = this;
    const context = {
      ...runContext(
        init.document,
        {
          baseDir: init.baseDir,
          ...(init.fileRoots ? { fileRoots: init.fileRoots } : {}),
          ...(init.params ? { params: init.params } : {}),
          ...(init.secrets ? { secrets: init.secrets } : {}),
        },
        Date.now,
      ),
      // Lines go to the run's console writer on the main thread; without one, to standard output as they would.
      ...(init.console ? { consoleWriter: (text: string) => this.post({ t: 'line', text }) } : {}),
    };
    const kept = new Map<string, { source: SourceOperator }>();
    for (const stage of plan.stages)
      if (stage.source !== undefined)
        for (let p = 0; p < stage.partitions; p++) kept.set(sourceKey(stage.source, p), { source: fedByMain });
    const meters = (node: { id: string }) => ({ counters: this.metrics.node(node.id), latency: this.metrics.sinkLatency(node.id) });
    await buildOperators({ context, carry: { state: new Map(init.state), sources: kept } }, async (build) => {
      for (const stage of plan.stages) {
        const list = new Map<number, Task>();
        for (let p = 0; p < stage.partitions; p++) {
          if (!this.mine(p)) continue;
          const { task, source } = await build.task(plan, stage, p, this, meters);
          if (source) this.sources.set(sourceKey(source.nodeId, p), source.instance);
          list.set(p, task);
        }
        this.tasks.set(stage.id, list);
        this.partitioners.set(stage.id, keyPartitioner(stage.keyBy ?? [], stage.partitions));
      }
    });
    for (const e of plan.edges) {
      if (!e.exchange) continue;
      const from = plan.nodes.get(e.source)!.stage;
      this.exchangeOut.set(from, [...(this.exchangeOut.get(from) ?? []), e]);
    }
  }

  // TaskOutput -------------------------------------------------------------------------------

  send(edge: PlanEdge, from: number, events: Event[], owned: boolean): void {
    const stageId = this.plan.nodes.get(edge.target)!.stage;
    const stage = this.plan.stages[stageId]!;
    const local = this.tasks.get(stageId)!;
    if (stage.partitions === 1) {
      this.deliverTo(edge, from, 0, events, owned, local);
      return;
    }
    const partition = this.partitioners.get(stageId)!;
    const parts: Event[][] = Array.from({ length: stage.partitions }, () => []);
    for (const e of events) parts[partition(e)]!.push(e);
    for (let p = 0; p < parts.length; p++) if (parts[p]!.length > 0) this.deliverTo(edge, from, p, parts[p]!, owned, local);
  }

  private deliverTo(edge: PlanEdge, from: number, to: number, events: Event[], owned: boolean, local: Map<number, Task>): void {
    const task = local.get(to);
    if (task) {
      task.deliver(edge.target, edge.targetPort, events, owned);
      return;
    }
    const buf = encodeBatch(events);
    this.toPeer(threadOf(to, this.init.threads), { t: 'ev', edge: edge.id, from, to, buf }, [buf]);
  }

  sendWatermark(stage: PlanStage, from: number, watermark: number): void {
    this.metrics.setWatermark(stage.id, from, watermark);
    for (const edge of this.exchangeOut.get(stage.id) ?? []) {
      this.advanceLocal(edge.id, from, watermark, this.plan.nodes.get(edge.target)!.stage);
      for (let t = 0; t < this.init.threads; t++)
        if (t !== this.init.index) this.toPeer(t, { t: 'wm', edge: edge.id, from, wm: watermark });
    }
  }

  private advanceLocal(edgeId: string, from: number, watermark: number, stageId: number): void {
    const channel = Task.channelId(edgeId, from);
    for (const task of this.tasks.get(stageId)!.values()) task.advance(channel, watermark);
  }

  onEdge(edge: PlanEdge, events: Event[]): void {
    this.edgeCounts.set(edge.id, (this.edgeCounts.get(edge.id) ?? 0) + events.length);
    // postMessage clones now: the next operator may then change the events.
    if (this.tapped.has(edge.id)) this.post({ t: 'tap', edge: edge.id, events });
  }

  keepsEvents(): boolean {
    return false;
  }

  private toPeer(thread: number, m: PeerMessage, transfer?: ArrayBuffer[]): void {
    this.sentToPeers++;
    this.peers[thread]!.postMessage(m, transfer);
  }

  // Messages ---------------------------------------------------------------------------------

  /** Every message runs in arrival order, one at a time (a flush or close awaits in between). */
  enqueue(run: () => Promise<void> | void): void {
    this.queue.push(run);
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const run = this.queue.shift()!;
        if (this.closed) continue;
        await run();
        await this.afterMessage();
      }
    } catch (err) {
      this.closed = true;
      this.post({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.pumping = false;
    }
  }

  onMain(m: ToThread): void {
    switch (m.t) {
      case 'src':
        this.enqueue(() => {
          for (const item of m.items) this.source(item);
          if (m.ack) this.post({ t: 'ack' });
        });
        return;
      case 'taps':
        // Applies at once: a tap added while batches wait should see them.
        this.tapped = new Set(m.edges);
        return;
      case 'probe':
        this.enqueue(() => this.post({ t: 'counts', sent: this.sentToPeers, received: this.receivedFromPeers }));
        return;
      case 'snapshot':
        this.enqueue(async () => {
          await this.flushSinks();
          const keep = new Set(m.nodes);
          const entries: [string, ReturnType<NodeInstance['state']['snapshot']>][] = [];
          for (const list of this.tasks.values())
            for (const [p, task] of list)
              for (const [id, inst] of task.instances) if (keep.has(id) && inst.op) entries.push([`${id}#${p}`, inst.state.snapshot()]);
          // The counts up to here first: the redeploy carries them into the new plan's metrics.
          this.report();
          this.post({ t: 'state', entries });
        });
        return;
      case 'close':
        this.enqueue(async () => {
          for (const list of this.tasks.values())
            for (const task of list.values()) {
              await task.flushSinks();
              await task.closeOperators();
            }
          this.report();
          this.closed = true;
          this.post({ t: 'closed' });
        });
        return;
    }
  }

  onPeer(m: PeerMessage): void {
    this.enqueue(() => {
      this.receivedFromPeers++;
      const edge = this.edges.get(m.edge)!;
      const stageId = this.plan.nodes.get(edge.target)!.stage;
      if (m.t === 'ev') this.tasks.get(stageId)!.get(m.to)!.deliver(edge.target, edge.targetPort, decodeBatch(m.buf), true);
      else this.advanceLocal(edge.id, m.from, m.wm, stageId);
    });
  }

  private source(item: SourceItem): void {
    const stage = this.plan.stages[item.stage]!;
    const task = this.tasks.get(stage.id)!.get(item.part)!;
    const instance = this.sources.get(sourceKey(stage.source!, item.part))!;
    const events = item.buf ? decodeBatch(item.buf) : [];
    routeSourceBatch(instance, task, {
      events,
      watermark: item.wm,
      done: item.done,
      owned: true,
      ...(item.shallow ? { shallow: true } : {}),
      ...(item.errors ? { errors: item.errors } : {}),
    });
  }

  private async afterMessage(): Promise<void> {
    if (performance.now() - this.lastFlush > SINK_FLUSH_MS) await this.flushSinks();
    if (this.doneSent) return;
    for (const list of this.tasks.values()) for (const task of list.values()) if (task.watermark !== Number.POSITIVE_INFINITY) return;
    // Every input channel is at the end of input: everything sent here has arrived (ports keep order).
    this.doneSent = true;
    await this.flushSinks();
    this.report();
    this.post({ t: 'done' });
  }

  async flushSinks(): Promise<void> {
    this.lastFlush = performance.now();
    for (const list of this.tasks.values()) for (const task of list.values()) await task.flushSinks();
  }

  report(): void {
    const report: MetricsReport = { nodes: {}, edges: {}, watermarks: [] };
    const local = new Set<string>();
    for (const list of this.tasks.values())
      for (const [p, task] of list) {
        for (const id of task.stage.nodes) local.add(id);
        report.watermarks.push([task.stage.id, p, task.watermark]);
      }
    for (const id of local) {
      const c = this.metrics.node(id);
      const latency = this.metrics.sinkLatency(id);
      report.nodes[id] = {
        counts: { in: c.in, out: c.out, errors: c.errors, late: c.late, dropped: c.dropped, batches: c.batches, busyMs: c.busyMs },
        batch: c.batchTimes.toSparse(),
        ...(latency ? { latency: latency.toSparse() } : {}),
        samples: c.samples.list(),
      };
    }
    for (const [id, n] of this.edgeCounts) report.edges[id] = n;
    this.post({ t: 'metrics', report });
  }
}

async function main(): Promise<void> {
  const { init, peers } = workerData as Data;
  const port = parentPort!;
  let thread: PartitionThread | undefined;
  // Messages that come while the thread builds wait for it.
  const early: (() => void)[] = [];
  port.on('message', (m: ToThread) => (thread ? thread.onMain(m) : early.push(() => thread!.onMain(m))));
  for (const p of peers) p?.on('message', (m: PeerMessage) => (thread ? thread.onPeer(m) : early.push(() => thread!.onPeer(m))));
  try {
    if (init.tsx && init.plugins.length > 0) ((await import(init.tsx)) as { register: () => void }).register();
    await loadPlugins(init.plugins);
    const t = new PartitionThread(init, threadPlan(init.document, init.partitions), peers);
    await t.build();
    thread = t;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    port.postMessage({ t: 'startFailed', message, ...(err instanceof StartFailure ? { node: err.nodeId } : {}) } satisfies FromThread);
    return;
  }
  port.postMessage({ t: 'ready' } satisfies FromThread);
  for (const run of early) run();
  // A thread without tasks (or whose inputs all ended already) says so without waiting for a message.
  thread.enqueue(() => {});
  const timer = setInterval(() => thread.report(), REPORT_EVERY_MS);
  timer.unref();
}

void main();
