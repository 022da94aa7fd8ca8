/**
 * The server's measure of each alert condition over the metrics samples it kept, the same
 * quantities the generated PromQL computes (alert-queries.ts): a rate over the last minute, an
 * error ratio over the last 5, the stage's current watermark lag, the backlog's change over the
 * last minute. No value (too few samples, nothing flowed): the condition does not hold, as a
 * Prometheus query with no series fires nothing.
 */
import type { AlertRule, PipelineMetrics } from '@sluice/shared';
import { ERROR_RATIO_WINDOW_MS, RATE_WINDOW_MS } from './alert-queries.js';
import type { WindowCount } from './alert-window-counter.js';

/** A rate needs samples at least this far apart: one tick apart is noise. */
export const MIN_SPAN_MS = 10_000;

export interface Sample {
  at: number;
  metrics: PipelineMetrics;
}

/**
 * The measured value and whether the condition holds; undefined: nothing to measure yet. `count`:
 * a data rule's counts over its window (alert-window-counter.ts); a share of no events is no value.
 */
export function measure(rule: AlertRule, samples: readonly Sample[], count?: WindowCount): { value: number; holds: boolean } | undefined {
  const now = samples.at(-1);
  if (!now) return undefined;
  switch (rule.when) {
    case 'share_above': {
      if (!count || count.total === 0) return undefined;
      const value = count.matching / count.total;
      return { value, holds: value > (rule.value ?? 1) };
    }
    case 'count_above':
      return count ? { value: count.matching, holds: count.matching > (rule.value ?? 0) } : undefined;
    case 'rate_below': {
      const read = (m: PipelineMetrics) => (rule.edge !== undefined ? m.edges[rule.edge]?.events : m.nodes[rule.node ?? '']?.in);
      const r = delta(samples, RATE_WINDOW_MS, read);
      if (!r) return undefined;
      const value = r.change / (r.span / 1000);
      return { value, holds: value < (rule.value ?? 0) };
    }
    case 'error_ratio_above': {
      const node = rule.node ?? '';
      const events = delta(samples, ERROR_RATIO_WINDOW_MS, (m) => m.nodes[node]?.in);
      const errors = delta(samples, ERROR_RATIO_WINDOW_MS, (m) => m.nodes[node]?.errors);
      if (!events || !errors || events.change <= 0) return undefined;
      const value = errors.change / events.change;
      return { value, holds: value > (rule.value ?? 1) };
    }
    case 'watermark_lag_above': {
      const lags = stagesOf(now.metrics, rule.node)
        .map((s) => s.watermarkLagMs)
        .filter((v): v is number => v !== null);
      if (lags.length === 0) return undefined;
      const value = Math.max(...lags) / 1000;
      return { value, holds: value > (rule.value ?? 0) };
    }
    case 'backlog_growing': {
      const r = delta(samples, RATE_WINDOW_MS, (m) => sum(stagesOf(m, rule.node).map((s) => s.backlog)), false);
      if (!r) return undefined;
      return { value: r.change, holds: r.change > 0 };
    }
  }
}

function stagesOf(m: PipelineMetrics, node: string | undefined) {
  return Object.values(m.stages).filter((s) => node !== undefined && s.nodes.includes(node));
}

const sum = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0));

/**
 * The change between the oldest sample inside the window and the newest. `counter`: a value
 * larger than a later one means the counter restarted in between (a redeploy), so the change is
 * measured from the restart on.
 */
function delta(
  samples: readonly Sample[],
  windowMs: number,
  read: (m: PipelineMetrics) => number | undefined,
  counter = true,
): { change: number; span: number } | undefined {
  const now = samples.at(-1)!;
  const last = read(now.metrics);
  if (last === undefined) return undefined;
  let first: Sample | undefined;
  let firstValue = last;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (now.at - s.at > windowMs) break;
    const v = read(s.metrics);
    if (v === undefined || (counter && v > firstValue)) break;
    first = s;
    firstValue = v;
  }
  if (!first || now.at - first.at < MIN_SPAN_MS) return undefined;
  return { change: last - firstValue, span: now.at - first.at };
}
