/**
 * Data taps: a listener on an edge sees the events that cross it (the editor's live preview).
 * The routing loop checks `active` once per delivery, so taps cost nothing when unused.
 */
import type { Event } from '@sluice/shared';

export type TapListener = (events: readonly Event[]) => void;

export class TapRegistry {
  private readonly byEdge = new Map<string, Set<TapListener>>();
  active = false;

  add(edgeId: string, listener: TapListener): () => void {
    let set = this.byEdge.get(edgeId);
    if (!set) this.byEdge.set(edgeId, (set = new Set()));
    set.add(listener);
    this.active = true;
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byEdge.delete(edgeId);
      this.active = this.byEdge.size > 0;
    };
  }

  /** Whether a listener is on the edge (it keeps references to the events it is given). */
  has(edgeId: string): boolean {
    return this.byEdge.has(edgeId);
  }

  emit(edgeId: string, events: readonly Event[]): void {
    const set = this.byEdge.get(edgeId);
    if (set) for (const l of set) l(events);
  }
}
