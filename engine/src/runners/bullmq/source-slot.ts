/**
 * A source stage as the coordinator runs it (bullmq-run.ts): its source, task and exchange, how
 * a batch interrupted by a restart is read again exactly, and the small steps around a batch.
 */
import type { SourceBatch, SourceOperator, StateSnapshot } from '@sluice/nodes/sdk';
import type { PlanStage } from '../../compile/plan.js';
import { ErrorSamples } from '../../metrics/error-samples.js';
import { copyCounts, type NodeCounters, samplesByNode } from '../../metrics/node-counters.js';
import type { NodeInstance } from '../../runtime/node-instance.js';
import type { BuildCarry } from '../../runtime/operator-build.js';
import { SOURCE_CHANNEL, type Task } from '../../runtime/task.js';
import type { ExchangeBuffer } from './exchange-buffer.js';
import { sleep } from './queue-drain.js';
import type { SourceCheckpoint } from './source-checkpoints.js';

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
  /** After a restart: the records of the interrupted batch, to be read again as one batch. */
  replay?: number;
}

/** Carried into the new source stages by a hot redeploy (or a restart): `node#0` states, kept sources. */
export type SwapCarry = BuildCarry<SourceSlot>;

/** Poll one batch; after a restart, exactly the records of the interrupted batch. */
export async function pollBatch(slot: SourceSlot, max: number, stopping: () => boolean): Promise<SourceBatch> {
  const want = slot.replay;
  if (want === undefined) return slot.source.poll(max);
  slot.replay = undefined;
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
  return merged;
}

/** The slot's checkpoint now: position, channel sequences, watermark, counters, operator state. */
export function checkpointOf(slot: SourceSlot, from: Map<string, NodeCounters>, watermark: number, done: boolean): SourceCheckpoint {
  const counters: SourceCheckpoint['counters'] = {};
  const operators: Record<string, StateSnapshot> = {};
  for (const id of slot.stage.nodes) counters[id] = copyCounts(from.get(id)!);
  for (const [id, inst] of slot.task.instances) if (inst.op) operators[id] = inst.state.snapshot({ clone: false }); // packed right away
  const errors = samplesByNode(slot.stage.nodes.map((id) => [id, from.get(id)!] as const));
  return {
    position: slot.source.position?.(),
    exchange: structuredClone(slot.exchange.state),
    watermark,
    done,
    counters,
    errors,
    operators,
  };
}

/** A restarted coordinator's slot from its checkpoint: seeks back, and re-reads an interrupted batch whole. */
export async function restoreSlot(slot: SourceSlot, cp: SourceCheckpoint, counters: Map<string, NodeCounters>): Promise<void> {
  slot.last = cp;
  slot.exchange.state = cp.exchange;
  slot.done = cp.done;
  slot.task.restoreWatermarks({ [SOURCE_CHANNEL]: cp.watermark }, cp.watermark);
  for (const [id, c] of Object.entries(cp.counters)) Object.assign(counters.get(id)!, c);
  for (const [id, list] of Object.entries(cp.errors ?? {})) counters.get(id)!.samples = new ErrorSamples(list);
  if (cp.pending && slot.source.seek) {
    await slot.source.seek(cp.pending.from);
    slot.replay = cp.pending.records;
  } else if (cp.position !== undefined) await slot.source.seek?.(cp.position);
}
