/**
 * What each alert condition measures, once, for both evaluators: the PromQL the generated
 * Prometheus rules use (prometheus-rules.ts) and the windows the server's own evaluator
 * computes over its samples (alert-evaluator.ts) mean the same thing.
 */
import { type AlertCondition, type AlertRule, DEFAULT_DATA_WINDOW } from '@sluice/shared';

/** rate_below and backlog_growing look at the last minute; error ratios at the last 5. */
export const RATE_WINDOW_MS = 60_000;
export const ERROR_RATIO_WINDOW_MS = 5 * 60_000;

/** PromQL string literal: Prometheus reads Go-style escapes. */
function q(v: string): string {
  return JSON.stringify(v);
}

/**
 * The rule's PromQL. `stage` is the Prometheus stage label of the node's stage (stageLabel), for
 * the stage gauges (lag, backlog). Undefined for data rules: /metrics has no series counting the
 * events a `where` matches, so only the server evaluates them.
 */
export function promQuery(pipeline: string, r: AlertRule, stage: string | undefined): string | undefined {
  const p = `pipeline=${q(pipeline)}`;
  const node = `{${p},node=${q(r.node ?? '')}}`;
  const st = `{${p},stage=${q(stage ?? '')}}`;
  const v = String(r.value ?? 0);
  const cond: AlertCondition = r.when;
  switch (cond) {
    case 'rate_below':
      return r.edge !== undefined
        ? `sum(rate(sluice_edge_events_total{${p},edge=${q(r.edge)}}[1m])) < ${v}`
        : `sum(rate(sluice_node_events_in_total${node}[1m])) < ${v}`;
    case 'error_ratio_above':
      return `sum(rate(sluice_node_errors_total${node}[5m])) / sum(rate(sluice_node_events_in_total${node}[5m])) > ${v}`;
    case 'watermark_lag_above':
      return `max(sluice_stage_watermark_lag_seconds${st}) > ${v}`;
    case 'backlog_growing':
      return `deriv(sluice_stage_backlog_events${st}[1m]) > 0`;
    case 'share_above':
    case 'count_above':
      return undefined;
  }
}

/** A line for people: "rate of events into per_card below 5/s". */
export function describeCondition(r: AlertRule): string {
  const on = r.edge !== undefined ? `edge ${r.edge}` : `node ${r.node}`;
  switch (r.when) {
    case 'rate_below':
      return `events per second on ${on} below ${r.value}`;
    case 'error_ratio_above':
      return `share of events failing on ${on} above ${r.value}`;
    case 'watermark_lag_above':
      return `watermark of ${on} more than ${r.value} s behind`;
    case 'backlog_growing':
      return `backlog before ${on} growing`;
    case 'share_above':
      return `share of events on ${on} with ${r.where} above ${r.value} over ${r.window ?? DEFAULT_DATA_WINDOW}`;
    case 'count_above':
      return `events on ${on} with ${r.where} more than ${r.value} over ${r.window ?? DEFAULT_DATA_WINDOW}`;
  }
}
