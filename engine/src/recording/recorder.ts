/**
 * Keeps a bounded recording of every deployed pipeline's source events, for what-if previews.
 * The DeploymentManager hands every source batch of every run here (both engines run sources
 * in the server process), from the first batch on. Each pipeline's privacy settings decide
 * (docs/privacy.md): recording off records nothing and deletes what was kept; otherwise events
 * are masked before they are kept, at most `maxEvents` per source, for at most `ttlSeconds`.
 */
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import { pipelinePrivacy } from '../privacy/pipeline-privacy.js';
import { recordEvent } from './recorded-event.js';
import type { RecordingLimits, RecordingStore } from './recording-store.js';

/** A run whose privacy is not known (never the case for a run the manager started): the safe defaults. */
const DEFAULT_PRIVACY = pipelinePrivacy({});

export class Recorder {
  constructor(private readonly o: { deployments: DeploymentManager; recordings: RecordingStore; now?: () => number }) {
    const now = o.now ?? Date.now;
    o.deployments.recordSources((pipelineId, nodeId, events) => {
      const privacy = o.deployments.privacyOf(pipelineId) ?? DEFAULT_PRIVACY;
      const { enabled, maxEvents, ttlSeconds } = privacy.settings.recording;
      if (!enabled) return;
      const limits: RecordingLimits = {};
      if (maxEvents !== undefined) limits.maxEvents = maxEvents;
      const at = ttlSeconds !== undefined ? now() : undefined;
      if (ttlSeconds !== undefined) limits.ttlMs = ttlSeconds * 1000;
      // Only the newest `size` can stay: skip masking and converting the rest of a big batch.
      const size = Math.min(o.recordings.capacity, maxEvents ?? o.recordings.capacity);
      const from = Math.max(0, events.length - size);
      const kept = new Array(events.length - from);
      for (let i = from; i < events.length; i++) kept[i - from] = recordEvent(privacy.mask(events[i]!), at);
      o.recordings.append(pipelineId, nodeId, kept, limits);
    });
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
