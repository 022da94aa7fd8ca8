/**
 * The pipeline's alert rules that are pending or firing, by the node they watch (an edge's rule
 * by the edge's target), for the badges on the canvas. Polled from the server while the
 * pipeline runs (pages/use-pipeline-loader.ts).
 */
import { create } from 'zustand';
import type { AlertsAnswer } from '../api/client';

export type NodeAlert = Pick<AlertsAnswer['alerts'][number], 'rule' | 'name' | 'state' | 'value'>;

interface AlertState {
  byNode: Record<string, NodeAlert[]>;
  /** Every rule's state by rule id (ok too), for the alert form in the side panel. */
  byRule: Record<string, NodeAlert>;
  set(answer: AlertsAnswer | undefined, edgeTarget: (edgeId: string) => string | undefined): void;
}

export const useAlerts = create<AlertState>()((set) => ({
  byNode: {},
  byRule: {},
  set: (answer, edgeTarget) => {
    const byNode: Record<string, NodeAlert[]> = {};
    const byRule: Record<string, NodeAlert> = {};
    for (const a of answer?.alerts ?? []) {
      byRule[a.rule] = { rule: a.rule, name: a.name, state: a.state, ...(a.value !== undefined ? { value: a.value } : {}) };
      if (a.state === 'ok') continue;
      const node = a.node ?? (a.edge !== undefined ? edgeTarget(a.edge) : undefined);
      if (node === undefined) continue;
      (byNode[node] ??= []).push({ rule: a.rule, name: a.name, state: a.state, ...(a.value !== undefined ? { value: a.value } : {}) });
    }
    set({ byNode, byRule });
  },
}));
