/**
 * One run's part in a pooled partition thread (docs/embedded-threads.md): it builds the tasks the
 * placement gives it (thread-placement.ts), polls the source partitions placed here itself (so
 * their events are born where they are processed), runs the batches the main thread deals it
 * (sources that must stay there) and those other threads send it, and reports metrics, taps,
 * console lines and the end of its input to the main thread. Every message, whichever port it
 * came from, and every round of polls is handled in arrival order by one loop, so a sink flush
 * or a close never runs in the middle of a batch.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Event } from '@sluice/shared';
import type { SourceOperator } from '@sluice/nodes/sdk';
import type { Plan, PlanEdge, PlanStage } from '../../../compile/plan.js';
import { exchangeFields } from '../../../compile/projection.js';
import { RunMetrics } from '../../../metrics/run-metrics.js';
import type { NodeInstance } from '../../../runtime/node-instance.js';
import { buildOperators, sourceKey } from '../../../runtime/operator-build.js';
import { planChains } from '../../../runtime/chain-plan.js';
import { keyPartitioner, type Partitioner } from '../../../runtime/partitioner.js';
import { routeSourceBatch } from '../../../runtime/source-step.js';
import { SOURCE_CHANNEL, Task, type TaskOutput } from '../../../runtime/task.js';
import { runContext } from '../embedded-run.js';
import { ReceiveDictionary, SendDictionary } from './columnar-batch.js';
import { PeerAlignment, splitSources } from './peer-alignment.js';
import { PeerOutbox } from './peer-outbox.js';
import { RemotePartition } from './remote-partition.js';
import { edgeCombiner } from '../../../runtime/edge-combiners.js';
import { SourcePoller } from './source-poller.js';
import { decodeBatch, encodeBatch } from './thread-batch-codec.js';
import { threadOf } from './thread-placement.js';
import type { FromThread, PeerItem, PeerMessage, SourceItem, ThreadInit, ToThread } from './thread-protocol.js';
import { metricsReport } from './thread-report.js';

export const REPORT_EVERY_MS = 200;
const SINK_FLUSH_MS = 200;

/** Kept sources between the old and the new part of a hot redeploy, in this thread: `token:node#partition`. */
const handoffs = new Map<string, { source: SourceOperator; ended: boolean; watermark: number }>();

/** A source stage's node in this thread fed by the main thread's batches: never polled here. */
const stoodIn: SourceOperator = {
  poll: () => Promise.resolve({ events: [], watermark: Number.NEGATIVE_INFINITY, done: false }),
};

export class PartitionThread implements TaskOutput {
  /** Batches for another thread are encoded: combined edges send partial rows (docs/combiner.md). */
  readonly combines = true;
  /** stage -> partition -> task, for the partitions this thread runs. */
  private readonly tasks = new Map<number, Map<number, Task>>();
  private readonly sources = new Map<string, NodeInstance>();
  private readonly partitioners = new Map<number, Partitioner>();
  private readonly exchangeOut = new Map<number, PlanEdge[]>();
  private readonly metrics: RunMetrics;
  private readonly edgeCounts = new Map<string, number>();
  private readonly edges: Map<string, PlanEdge>;
  /** Fields sent across each exchange edge (undefined: all), as the BullMQ runner ships them. */
  private readonly projection = new Map<string, string[] | undefined>();
  private tapped = new Set<string>();
  private receivedFromPeers = 0;
  private doneSent = false;
  private lastFlush = performance.now();
  private readonly queue: (() => Promise<void> | void)[] = [];
  private pumping = false;
  private closed = false;
  private released = false;
  private readonly poller: SourcePoller;
  private readonly outbox: PeerOutbox;
  private readonly alignment: PeerAlignment;
  private handoffToken: string | undefined;
  /** Each link's string dictionary: this thread's sending half per peer, and its receiving half per peer. */
  private readonly sendDicts: SendDictionary[];
  private readonly receiveDicts: ReceiveDictionary[];

  constructor(
    private readonly init: ThreadInit,
    private readonly plan: Plan,
    private readonly control: MessagePort,
    private readonly peers: (MessagePort | null)[],
  ) {
    this.metrics = new RunMetrics(plan, Date.now);
    this.edges = new Map(plan.edges.map((e) => [e.id, e]));
    for (const e of plan.edges) if (e.exchange) this.projection.set(e.id, exchangeFields(plan, e));
    this.tapped = new Set(init.tapped);
    this.outbox = new PeerOutbox(peers, () => this.released);
    this.alignment = new PeerAlignment(init.index, init.threads, splitSources(plan, init), init.maxDriftMs, (node, wm) => {
      if (this.released) return;
      for (const peer of peers) peer?.postMessage({ t: 'align', node, wm } satisfies PeerMessage);
    });
    this.poller = new SourcePoller(
      {
        enqueue: (run) => this.enqueue(run),
        closed: () => this.closed,
        backlogged: () => this.outbox.backlogged(),
        alignment: this.alignment,
      },
      init.batchSize,
      init.batchDelayMs,
    );
    this.sendDicts = Array.from({ length: init.threads }, () => new SendDictionary());
    this.receiveDicts = Array.from({ length: init.threads }, () => new ReceiveDictionary());
  }

  post(m: FromThread, transfer?: ArrayBuffer[]): void {
    if (!this.released) this.control.postMessage(m, transfer);
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
    // Sources the main thread feeds get a stand-in; a kept one (hot redeploy) is taken back as it is.
    const kept = new Map<string, { source: SourceOperator }>();
    const taken = new Map<string, { ended: boolean; watermark: number }>();
    const fedByMain = new Set(init.fedByMain);
    for (const stage of plan.stages)
      if (stage.source !== undefined)
        for (let p = 0; p < stage.partitions; p++) {
          const key = sourceKey(stage.source, p);
          const handed = init.takeSources === undefined ? undefined : handoffs.get(`${init.takeSources}:${key}`);
          if (fedByMain.has(key)) kept.set(key, { source: stoodIn });
          else if (handed && this.mine(p)) {
            handoffs.delete(`${init.takeSources}:${key}`);
            kept.set(key, { source: handed.source });
            taken.set(key, handed);
          }
        }
    const meters = (node: { id: string }) => ({ counters: this.metrics.node(node.id), latency: this.metrics.sinkLatency(node.id) });
    await buildOperators({ context, carry: { state: new Map(init.state), sources: kept } }, async (build) => {
      for (const stage of plan.stages) {
        const list = new Map<number, Task>();
        for (let p = 0; p < stage.partitions; p++) {
          if (!this.mine(p)) continue;
          const { task, source } = await build.task(plan, stage, p, this, meters);
          if (source) {
            const key = sourceKey(source.nodeId, p);
            this.sources.set(key, source.instance);
            if (!fedByMain.has(key))
              // A taken source is not this part's to close until `go` (a swap that fails gives it back).
              this.poller.sources.push({
                key,
                nodeId: source.nodeId,
                source: source.source,
                instance: source.instance,
                task,
                ended: false,
                handedOff: taken.has(key),
                watermark: Number.NEGATIVE_INFINITY,
                idle: false,
              });
          }
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
    this.fuseChains();
    // A kept source sends its watermark again through the new tasks (an ended one, its end).
    for (const slot of this.poller.sources) {
      const was = taken.get(slot.key);
      if (!was) continue;
      slot.ended = was.ended;
      slot.watermark = was.watermark;
      slot.task.advance(SOURCE_CHANNEL, was.ended ? Number.POSITIVE_INFINITY : was.watermark);
    }
  }

  /**
   * Chained nodes run fused where nothing watches them (runtime/fused-chain.ts), as on one
   * thread. A chain ending at a keyed exchange feeds the partitions here event by event, and
   * those in other threads through stand-ins that send what they took as one batch each.
   */
  private fuseChains(): void {
    for (const list of this.tasks.values())
      for (const task of list.values())
        planChains(task, {
          observes: (edge) => this.observes(edge),
          countEdge: (edge, events) => this.countEdge(edge, events),
          exchangeTargets: (edge) => {
            const stage = this.plan.stages[this.plan.nodes.get(edge.target)!.stage]!;
            const local = this.tasks.get(stage.id)!;
            const like = local.values().next().value?.instances.get(edge.target);
            if (like?.op === undefined) return undefined;
            const fields = this.projection.get(edge.id);
            const send = (e: PlanEdge, to: number, events: Event[]) => this.sendToPeer(e, task.partition, to, events);
            const instances = Array.from(
              { length: stage.partitions },
              (_, p) =>
                local.get(p)?.instances.get(edge.target) ?? new RemotePartition(like, edge, p, fields, send, edgeCombiner(this.plan, edge)),
            );
            return { instances, partition: stage.partitions === 1 ? undefined : this.partitioners.get(stage.id), keyBy: stage.keyBy ?? [] };
          },
        });
  }

  observes(edge: PlanEdge): boolean {
    return this.tapped.has(edge.id);
  }

  countEdge(edge: PlanEdge, events: number): void {
    this.edgeCounts.set(edge.id, (this.edgeCounts.get(edge.id) ?? 0) + events);
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
    if (task) task.deliver(edge.target, edge.targetPort, events, owned);
    else this.sendToPeer(edge, from, to, events);
  }

  /** Events for partition `to` of the next stage, which runs in another thread. */
  private sendToPeer(edge: PlanEdge, from: number, to: number, events: Event[]): void {
    if (this.released) return;
    const thread = threadOf(to, this.init.threads);
    const buf = encodeBatch(events, this.projection.get(edge.id), this.sendDicts[thread]);
    this.toPeer(thread, { t: 'ev', edge: edge.id, from, to, buf }, buf);
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
    this.countEdge(edge, events.length);
    // postMessage clones now: the next operator may then change the events.
    if (this.tapped.has(edge.id)) this.post({ t: 'tap', edge: edge.id, events });
  }

  keepsEvents(): boolean {
    return false;
  }

  private toPeer(thread: number, item: PeerItem, buf?: ArrayBuffer): void {
    this.outbox.add(thread, item, buf);
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
        this.outbox.flush();
        await this.afterMessage();
        // What a sink flush there emitted for a peer (an HTTP sink's refused events) goes now, not with the next job.
        this.outbox.flush();
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
      case 'go':
        this.poller.polling = true;
        for (const slot of this.poller.sources) slot.handedOff = false;
        if (this.handoffToken !== undefined) for (const slot of this.poller.sources) handoffs.delete(`${this.handoffToken}:${slot.key}`);
        this.handoffToken = undefined;
        this.poller.schedule();
        return;
      case 'pause':
        this.enqueue(() => {
          this.poller.polling = false;
          this.post({ t: 'paused' });
        });
        return;
      case 'release':
        this.release();
        return;
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
        this.enqueue(async () => {
          if (m.flush) await this.flushSinks();
          this.post({ t: 'counts', sent: this.outbox.sent, received: this.receivedFromPeers });
        });
        return;
      case 'snapshot':
        this.enqueue(async () => {
          await this.flushSinks();
          const keep = new Set(m.nodes);
          // Kept sources polled here stay in this thread for the next part (same thread: p % threads).
          this.handoffToken = m.handoff;
          for (const slot of this.poller.sources)
            if (keep.has(slot.nodeId)) {
              slot.handedOff = true;
              handoffs.set(`${m.handoff}:${slot.key}`, { source: slot.source, ended: slot.ended, watermark: slot.task.watermark });
            }
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
        this.poller.polling = false;
        this.enqueue(async () => {
          await this.closeAll(true);
          this.report();
          this.closed = true;
          this.post({ t: 'closed' });
        });
        return;
    }
  }

  /** Sources polled here (not handed to the next part), then every operator. */
  private async closeAll(flush: boolean): Promise<void> {
    for (const slot of this.poller.sources) if (!slot.handedOff) await slot.source.close?.();
    for (const list of this.tasks.values())
      for (const task of list.values()) {
        if (flush) await task.flushSinks();
        await task.closeOperators();
      }
  }

  onPeer(from: number, m: PeerMessage): void {
    if (m.t === 'ack') {
      // Handled at once: it only lets this thread's own sources go on.
      if (this.outbox.acked(from)) this.poller.schedule();
      return;
    }
    if (m.t === 'align') {
      if (this.alignment.received(from, m.node, m.wm)) this.poller.schedule();
      return;
    }
    this.enqueue(() => {
      for (const item of m.items) {
        this.receivedFromPeers++;
        const edge = this.edges.get(item.edge)!;
        const stageId = this.plan.nodes.get(edge.target)!.stage;
        if (item.t === 'ev')
          this.tasks
            .get(stageId)!
            .get(item.to)!
            .deliver(edge.target, edge.targetPort, decodeBatch(item.buf, this.receiveDicts[from]), true);
        else this.advanceLocal(edge.id, item.from, item.wm, stageId);
      }
      if (!this.released) this.peers[from]!.postMessage({ t: 'ack' } satisfies PeerMessage);
    });
  }

  /**
   * The run let go of this part (it ended, failed or its start failed): its ports close, and
   * what a close did not end yet (after a failure) is closed here, errors aside: the thread
   * stays in the pool for other runs.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.poller.polling = false;
    const wasClosed = this.closed;
    this.closed = true;
    this.queue.length = 0;
    for (const p of this.peers) p?.close();
    this.control.close();
    if (!wasClosed) void this.closeAll(false).catch(() => {});
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
    this.post({ t: 'metrics', report: metricsReport(this.tasks, this.metrics, this.edgeCounts) });
  }
}
