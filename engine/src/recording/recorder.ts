/**
 * Keeps a bounded recording of every deployed pipeline's source events, for what-if previews.
 * The DeploymentManager hands every source batch of every run here (both engines run sources
 * in the server process), from the first batch on; the hot path pays a ring-buffer write.
 */
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import { recordEvent } from './recorded-event.js';
import type { RecordingStore } from './recording-store.js';

export class Recorder {
  constructor(private readonly o: { deployments: DeploymentManager; recordings: RecordingStore }) {
    o.deployments.recordSources((pipelineId, nodeId, events) => {
      // Only the newest `capacity` can stay: skip converting the rest of a big batch.
      const from = Math.max(0, events.length - o.recordings.capacity);
      const kept = new Array(events.length - from);
      for (let i = from; i < events.length; i++) kept[i - from] = recordEvent(events[i]!);
      o.recordings.append(pipelineId, nodeId, kept);
    });
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
