/** Live metrics, apart from the document: each node component selects only its own entry. */
import { create } from 'zustand';
import type { NodeMetrics, PipelineMetrics } from '@sluice/shared';

export interface MetricsState {
  status: string;
  latest: PipelineMetrics | undefined;
  /** Events/s per node (out), from the last two snapshots. */
  rates: Record<string, { in: number; out: number }>;
  /** The last minutes of out-rates per node, for sparklines. */
  history: Record<string, number[]>;
  push(status: string, m: PipelineMetrics | undefined): void;
  reset(): void;
}

const KEEP = 180;

export const useMetrics = create<MetricsState>()((set, get) => ({
  status: 'not-deployed',
  latest: undefined,
  rates: {},
  history: {},
  push: (status, m) => {
    const prev = get().latest;
    if (!m) return set({ status });
    const rates: MetricsState['rates'] = {};
    const history = { ...get().history };
    const dt = prev ? Math.max(1, m.at - prev.at) / 1000 : 1;
    for (const [id, n] of Object.entries(m.nodes)) {
      const p: NodeMetrics | undefined = prev?.nodes[id];
      rates[id] = { in: p ? (n.in - p.in) / dt : 0, out: p ? (n.out - p.out) / dt : 0 };
      history[id] = [...(history[id] ?? []), rates[id]!.out].slice(-KEEP);
    }
    set({ status, latest: m, rates, history });
  },
  reset: () => set({ status: 'not-deployed', latest: undefined, rates: {}, history: {} }),
}));
