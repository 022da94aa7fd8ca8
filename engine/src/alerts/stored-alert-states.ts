/**
 * Alert states kept in the pipeline store (files or PostgreSQL), for a server without Redis: a
 * restarted server reads the states the last one wrote, so a firing rule is not fired again and
 * a pending one keeps its `for` clock (docs/alerts.md, "Across a restart"). The store keeps them
 * with the deployment record: an undeploy deletes them, and a write after it is refused.
 */
import type { PipelineStore } from '../store/pipeline-store.js';
import type { AlertState } from './alert-state.js';
import type { AlertStateStore } from './alert-state-store.js';

export class StoredAlertStates implements AlertStateStore {
  /** Per pipeline, what was last written (or read): the evaluator saves every round. */
  private readonly written = new Map<string, string>();

  constructor(private readonly store: PipelineStore) {}

  async load(pipeline: string): Promise<Map<string, AlertState>> {
    const states = new Map(Object.entries(await this.store.getAlertStates(pipeline)));
    this.written.set(pipeline, shape(states));
    return states;
  }

  /**
   * Written when a rule's phase or `since` changed (or a rule came or went), not every round:
   * a value measured between two such changes is not kept, and a restart shows the last kept
   * one until it measures again.
   */
  async save(pipeline: string, states: ReadonlyMap<string, AlertState>): Promise<boolean> {
    const now = shape(states);
    if (this.written.get(pipeline) === now) return true;
    const done = await this.store.putAlertStates(pipeline, Object.fromEntries(states));
    // Refused (not deployed): try again next round, as the record may come back with a deploy.
    if (done) this.written.set(pipeline, now);
    else this.written.delete(pipeline);
    return done;
  }
}

function shape(states: ReadonlyMap<string, AlertState>): string {
  return JSON.stringify([...states].map(([id, s]) => [id, s.phase, s.since ?? null]));
}
