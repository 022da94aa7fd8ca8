/**
 * Keeps a bounded recording of every deployed pipeline's source events, for what-if previews.
 * It taps the first edge out of each source node of each run the DeploymentManager starts (a
 * tap sees every event crossing the edge, in both engines: sources run in the server process),
 * so the engines need no recording code of their own.
 */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import type { RunHandle } from '../runners/runner.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { recordEvent } from './recorded-event.js';
import type { RecordingStore } from './recording-store.js';

export class Recorder {
  private readonly taps = new Map<string, () => void>();
  private readonly detach: () => void;

  constructor(
    private readonly o: { deployments: DeploymentManager; store: PipelineStore; recordings: RecordingStore; log?: (line: string) => void },
  ) {
    this.detach = o.deployments.onRun((id, handle) => void this.follow(id, handle));
  }

  get recordings(): RecordingStore {
    return this.o.recordings;
  }

  private async follow(id: string, handle: RunHandle): Promise<void> {
    this.taps.get(id)?.();
    this.taps.delete(id);
    const stored = await this.o.store.get(id);
    if (!stored) return;
    const offs: (() => void)[] = [];
    for (const node of stored.document.nodes) {
      if (nodeDefinitions.get(node.type)?.category !== 'source') continue;
      // One edge per source: every edge out of a source carries the same events.
      const edge = stored.document.edges.find((e) => e.source === node.id && (e.sourcePort ?? 'out') === 'out');
      if (!edge) continue;
      try {
        offs.push(handle.tap(edge.id, (events) => this.o.recordings.append(id, node.id, events.map(recordEvent))));
      } catch (err) {
        this.o.log?.(`recording of ${id}.${node.id} not started: ${(err as Error).message}`);
      }
    }
    this.taps.set(id, () => {
      for (const off of offs) off();
    });
  }

  /** Forget a deleted pipeline's recording. */
  async forget(id: string): Promise<void> {
    this.taps.get(id)?.();
    this.taps.delete(id);
    await this.o.recordings.clear(id);
  }

  async close(): Promise<void> {
    this.detach();
    for (const off of this.taps.values()) off();
    this.taps.clear();
    await this.o.recordings.close();
  }
}
