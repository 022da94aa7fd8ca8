/**
 * Keeps a bounded recording of every deployed pipeline's source events, for what-if previews.
 * The DeploymentManager hands every source batch of every embedded run here, from the first
 * batch on; on BullMQ the workers reading the source partitions append to the same Redis
 * recording themselves (worker-pool.ts), through `recordBatch` too. Each pipeline's privacy
 * settings decide (docs/privacy.md): recording off records nothing and deletes what was kept;
 * otherwise events are masked before they are kept, at most `maxEvents` per source, for at
 * most `ttlSeconds`.
 */
import type { Event } from '@sluice/shared';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import { type PipelinePrivacy, pipelinePrivacy } from '../privacy/pipeline-privacy.js';
import { recordEvent } from './recorded-event.js';
import type { RecordingLimits, RecordingStore } from './recording-store.js';

/** A run whose privacy is not known (never the case for a run the manager started): the safe defaults. */
const DEFAULT_PRIVACY = pipelinePrivacy({});

/**
 * One source batch into a recording, masked and limited by the pipeline's privacy settings
 * (BullMQ workers record what their source partitions read the same way).
 */
export function recordBatch(
  recordings: RecordingStore,
  pipelineId: string,
  nodeId: string,
  events: readonly Event[],
  privacy: PipelinePrivacy = DEFAULT_PRIVACY,
  now: () => number = Date.now,
): void {
  const { enabled, maxEvents, ttlSeconds } = privacy.settings.recording;
  if (!enabled) return;
  const limits: RecordingLimits = {};
  if (maxEvents !== undefined) limits.maxEvents = maxEvents;
  const at = ttlSeconds !== undefined ? now() : undefined;
  if (ttlSeconds !== undefined) limits.ttlMs = ttlSeconds * 1000;
  // Only the newest `size` can stay: skip masking and converting the rest of a big batch.
  const size = Math.min(recordings.capacity, maxEvents ?? recordings.capacity);
  const from = Math.max(0, events.length - size);
  const kept = new Array(events.length - from);
  for (let i = from; i < events.length; i++) kept[i - from] = recordEvent(privacy.mask(events[i]!), at);
  recordings.append(pipelineId, nodeId, kept, limits);
}

export class Recorder {
  constructor(private readonly o: { deployments: DeploymentManager; recordings: RecordingStore; now?: () => number }) {
    const now = o.now ?? Date.now;
    o.deployments.recordSources((pipelineId, nodeId, events) =>
      recordBatch(o.recordings, pipelineId, nodeId, events, o.deployments.privacyOf(pipelineId) ?? DEFAULT_PRIVACY, now),
    );
    // A deploy that turns recording off deletes what an earlier version recorded.
    o.deployments.onRun((id) => {
      if (o.deployments.privacyOf(id)?.settings.recording.enabled === false) void o.recordings.clear(id).catch(() => undefined);
    });
  }

  get recordings(): RecordingStore {
    return this.o.recordings;
  }

  /** Forget a pipeline's recording (deleted, or `DELETE /api/pipelines/:id/recording`). */
  forget(id: string): Promise<void> {
    return this.o.recordings.clear(id);
  }

  async close(): Promise<void> {
    this.o.deployments.recordSources(undefined);
    await this.o.recordings.close();
  }
}
