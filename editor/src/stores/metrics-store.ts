/**
 * Live metrics, apart from the document: each node and edge component selects only its own entry.
 * A message keeps the previous object of every node whose numbers did not change, so those
 * components do not re-render.
 */
import { create } from 'zustand';
import type { NodeMetrics, PipelineMetrics } from '@sluice/shared';
import { countRender } from '../canvas/render-count';

export interface MetricsState {
  status: string;
  latest: PipelineMetrics | undefined;
  /** Events/s per node (out), from the last two snapshots. */
  rates: Record<string, { in: number; out: number }>;
  /** The last minutes of out-rates per node, for sparklines. */
  history: Record<string, number[]>;
  /** The stage each node runs in (an edge between two stages shows the backlog in front of its target). */
  stageOf: Record<string, string>;
  push(status: string, m: PipelineMetrics | undefined): void;
  reset(): void;
}

const KEEP = 180;

function sameNumbers<T extends object>(a: T | undefined, b: T): boolean {
  if (!a) return false;
  for (const k of Object.keys(b) as (keyof T)[]) if (a[k] !== b[k]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

export const useMetrics = create<MetricsState>()((set, get) => ({
  status: 'not-deployed',
  latest: undefined,
  rates: {},
  history: {},
  stageOf: {},
  push: (status, m) => {
    const prev = get().latest;
    if (!m) return set({ status });
    countRender('metricsMessages');
    const prevRates = get().rates;
    const rates: MetricsState['rates'] = {};
    const nodes: PipelineMetrics['nodes'] = {};
    const history = { ...get().history };
    const dt = prev ? Math.max(1, m.at - prev.at) / 1000 : 1;
    for (const [id, n] of Object.entries(m.nodes)) {
      const p: NodeMetrics | undefined = prev?.nodes[id];
      nodes[id] = p && sameNumbers(p, n) ? p : n;
      const rate = { in: p ? (n.in - p.in) / dt : 0, out: p ? (n.out - p.out) / dt : 0 };
      rates[id] = sameNumbers(prevRates[id], rate) ? prevRates[id]! : rate;
      history[id] = [...(history[id] ?? []), rate.out].slice(-KEEP);
    }
    const stageOf: MetricsState['stageOf'] = {};
    for (const [stage, st] of Object.entries(m.stages)) for (const id of st.nodes) stageOf[id] = stage;
    set({ status, latest: { ...m, nodes }, rates, history, stageOf });
  },
  reset: () => set({ status: 'not-deployed', latest: undefined, rates: {}, history: {}, stageOf: {} }),
}));
