/**
 * A source partition as its holder runs it (source-unit.ts, on a worker): its source, task and
 * exchange, how a batch interrupted by a crash or a takeover is read again exactly, and the
 * small steps around a batch.
 */
import type { SourceBatch, SourceOperator, StateSnapshot } from '@sluice/nodes/sdk';
import type { PlanStage } from '../../compile/plan.js';
import { ErrorSamples } from '../../metrics/error-samples.js';
import { Histogram } from '../../metrics/histogram.js';
import { copyCounts, type NodeCounters, samplesByNode } from '../../metrics/node-counters.js';
import type { NodeInstance } from '../../runtime/node-instance.js';
import type { BuildCarry } from '../../runtime/operator-build.js';
import { SOURCE_CHANNEL, type Task } from '../../runtime/task.js';
import type { ExchangeBuffer } from './exchange-buffer.js';
import { sleep } from './queue-drain.js';
import { decodeEvents, encodeEvents } from './batch-codec.js';
import type { KeptBatch, SourceCheckpoint } from './source-checkpoints.js';

export interface SourceSlot {
  stage: PlanStage;
  nodeId: string;
  source: SourceOperator;
  task: Task;
  exchange: ExchangeBuffer;
  instance: NodeInstance;
  done: boolean;
  /** The last checkpoint written (the base of the next pending mark). */
  last?: SourceCheckpoint;
  /** After a restart: the interrupted batch (records, watermark and end it reported), to be read again as one batch. */
  replay?: NonNullable<SourceCheckpoint['pending']>;
}

/** Carried into a source partition's build: `node#partition` states (from its checkpoint). */
export type SwapCarry = BuildCarry<SourceSlot>;

/** Poll one batch; after a restart, exactly the records of the interrupted batch, with the watermark it reported. */
export async function pollBatch(slot: SourceSlot, max: number, stopping: () => boolean): Promise<SourceBatch> {
  const replay = slot.replay;
  if (replay === undefined) return slot.source.poll(max);
  slot.replay = undefined;
  if (replay.kept)
    return { ...unkeepBatch(replay.kept), watermark: replay.watermark ?? Number.NEGATIVE_INFINITY, done: replay.done ?? false };
  const want = replay.records;
  const merged: SourceBatch = { events: [], watermark: Number.NEGATIVE_INFINITY, done: false, errors: [] };
  let got = 0;
  while (got < want && !merged.done && !stopping()) {
    const b = await slot.source.poll(want - got);
    merged.events.push(...b.events);
    merged.errors!.push(...(b.errors ?? []));
    merged.watermark = Math.max(merged.watermark, b.watermark);
    merged.done = b.done;
    got += b.events.length + (b.errors?.length ?? 0);
    if (b.events.length === 0 && !b.errors?.length && !b.done) await sleep(5);
  }
  // The same watermark and end as the first reading: the jobs come out the same.
  if (replay.watermark !== undefined) merged.watermark = replay.watermark;
  if (replay.done !== undefined) merged.done = replay.done;
  return merged;
}

/** A batch of a source that cannot read it again (`replayable: false`), as its pending mark keeps it. */
export function keepBatch(batch: SourceBatch): KeptBatch {
  const errors = batch.errors ?? [];
  return { events: encodeEvents(batch.events), errors: encodeEvents(errors.map((e) => e.event)), why: errors.map((e) => e.error) };
}

function unkeepBatch(kept: KeptBatch): Pick<SourceBatch, 'events' | 'errors'> {
  const errors = decodeEvents(kept.errors).map((event, i) => ({ event, error: kept.why[i] ?? '' }));
  return { events: decodeEvents(kept.events), errors };
}

/** The slot's checkpoint now: position, channel sequences, watermark, counters, operator state. */
export function checkpointOf(slot: SourceSlot, from: Map<string, NodeCounters>, watermark: number, done: boolean): SourceCheckpoint {
  const counters: SourceCheckpoint['counters'] = {};
  const operators: Record<string, StateSnapshot> = {};
  for (const id of slot.stage.nodes) counters[id] = copyCounts(from.get(id)!);
  for (const [id, inst] of slot.task.instances) if (inst.op) operators[id] = inst.state.snapshot({ clone: false }); // packed right away
  const errors = samplesByNode(slot.stage.nodes.map((id) => [id, from.get(id)!] as const));
  const hist: Record<string, [number, number][]> = {};
  for (const id of slot.stage.nodes) {
    const h = from.get(id)!.batchTimes;
    if (h.count > 0) hist[id] = h.toSparse();
  }
  return {
    position: slot.source.position?.(),
    exchange: structuredClone(slot.exchange.state),
    watermark,
    done,
    counters,
    errors,
    operators,
    edges: { ...slot.exchange.edgeCounts },
    hist,
  };
}

/** A resumed partition's slot from its checkpoint: seeks back, and re-reads an interrupted batch whole. */
export async function restoreSlot(slot: SourceSlot, cp: SourceCheckpoint, counters: Map<string, NodeCounters>): Promise<void> {
  slot.last = cp;
  // A copy: the exchange advances its sequence numbers in place, and `last` (this checkpoint) is
  // the base of the next pending mark, which must keep the numbers from before the batch.
  slot.exchange.state = structuredClone(cp.exchange);
  slot.exchange.edgeCounts = { ...(cp.edges ?? {}) };
  for (const [id, sparse] of Object.entries(cp.hist ?? {})) counters.get(id)?.batchTimes.merge(Histogram.fromSparse(sparse));
  slot.done = cp.done;
  slot.task.restoreWatermarks({ [SOURCE_CHANNEL]: cp.watermark }, cp.watermark);
  for (const [id, c] of Object.entries(cp.counters)) Object.assign(counters.get(id)!, c);
  for (const [id, list] of Object.entries(cp.errors ?? {})) counters.get(id)!.samples = new ErrorSamples(list);
  if (cp.pending && slot.source.seek) {
    await slot.source.seek(cp.pending.from);
    slot.replay = cp.pending;
  } else if (cp.position !== undefined) await slot.source.seek?.(cp.position);
}
