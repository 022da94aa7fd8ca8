/**
 * Keeps a bounded recording of every deployed pipeline's source events, for what-if previews.
 * The DeploymentManager hands every source batch of every embedded run here, from the first
 * batch on; the hot path pays a ring-buffer write. On BullMQ the workers reading the source
 * partitions append to the same Redis recording themselves (worker-pool.ts).
 */
import type { Event } from '@sluice/shared';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import { recordEvent } from './recorded-event.js';
import type { RecordingStore } from './recording-store.js';

/** One source batch into a recording (BullMQ workers record what their source partitions read the same way). */
export function recordBatch(recordings: RecordingStore, pipelineId: string, nodeId: string, events: readonly Event[]): void {
  // Only the newest `capacity` can stay: skip converting the rest of a big batch.
  const from = Math.max(0, events.length - recordings.capacity);
  const kept = new Array(events.length - from);
  for (let i = from; i < events.length; i++) kept[i - from] = recordEvent(events[i]!);
  recordings.append(pipelineId, nodeId, kept);
}

export class Recorder {
  constructor(private readonly o: { deployments: DeploymentManager; recordings: RecordingStore }) {
    o.deployments.recordSources((pipelineId, nodeId, events) => recordBatch(o.recordings, pipelineId, nodeId, events));
  }

  get recordings(): RecordingStore {
    return this.o.recordings;
  }

  /** Forget a deleted pipeline's recording. */
  forget(id: string): Promise<void> {
    return this.o.recordings.clear(id);
  }

  async close(): Promise<void> {
    this.o.deployments.recordSources(undefined);
    await this.o.recordings.close();
  }
}
