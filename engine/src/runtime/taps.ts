/**
 * Data taps: a listener on an edge sees the events that cross it (the editor's live preview).
 * The routing loop checks `active` once per delivery, so taps cost nothing when unused.
 */
import type { Event } from '@sluice/shared';

export type TapListener = (events: readonly Event[]) => void;

export interface TapOptions {
  /**
   * False for a listener that reads the events during the call and keeps none (an alert's
   * counter): the events then stay owned downstream, and are not copied for it.
   */
  keeps?: boolean;
}

export class TapRegistry {
  private readonly byEdge = new Map<string, Set<TapListener>>();
  /** Per edge, how many listeners keep references. */
  private readonly keeping = new Map<string, number>();
  active = false;

  add(edgeId: string, listener: TapListener, options: TapOptions = {}): () => void {
    let set = this.byEdge.get(edgeId);
    if (!set) this.byEdge.set(edgeId, (set = new Set()));
    set.add(listener);
    const keeps = options.keeps !== false;
    if (keeps) this.keeping.set(edgeId, (this.keeping.get(edgeId) ?? 0) + 1);
    this.active = true;
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      set.delete(listener);
      if (set.size === 0) this.byEdge.delete(edgeId);
      if (keeps) {
        const n = (this.keeping.get(edgeId) ?? 1) - 1;
        if (n > 0) this.keeping.set(edgeId, n);
        else this.keeping.delete(edgeId);
      }
      this.active = this.byEdge.size > 0;
    };
  }

  /** Whether a listener on the edge keeps references to the events it is given. */
  has(edgeId: string): boolean {
    return this.keeping.has(edgeId);
  }

  /** Whether any listener is on the edge. */
  listens(edgeId: string): boolean {
    return this.byEdge.has(edgeId);
  }

  emit(edgeId: string, events: readonly Event[]): void {
    const set = this.byEdge.get(edgeId);
    if (set) for (const l of set) l(events);
  }
}
