/**
 * A document's `alerts` section (docs/alerts.md): threshold rules on a node's or an edge's
 * metrics, kept with the graph they watch, and where to send them. The server evaluates them
 * (engine/src/alerts); GET /api/pipelines/:id/alerts.yml writes the same rules for Prometheus.
 * Optional: a document without it has no alerts.
 */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostic.js';
import { type Duration, durationSchema, parseDuration } from '../duration.js';
import { checkDataRule, checkNodeTarget, checkSinkTarget, type DataRuleContext } from './alert-data-rules.js';

export const ALERT_CONDITIONS = [
  'rate_below',
  'error_ratio_above',
  'watermark_lag_above',
  'backlog_growing',
  'share_above',
  'count_above',
] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** Data rules: measured on the events crossing an edge (`where` over `window`), not on metrics. */
export const DATA_CONDITIONS: ReadonlySet<AlertCondition> = new Set(['share_above', 'count_above']);
export const isDataRule = (r: Pick<AlertRule, 'when'>): boolean => DATA_CONDITIONS.has(r.when);

export interface AlertRule {
  id: string;
  /** What people read in the notification and on the canvas. */
  name?: string;
  /** The node watched (metric conditions), or the edge (rate_below and the data rules). */
  node?: string;
  edge?: string;
  when: AlertCondition;
  /**
   * rate_below: events/s; error_ratio_above: 0-1; watermark_lag_above: seconds; backlog_growing:
   * none; share_above: 0-1; count_above: events.
   */
  value?: number;
  /** Data rules: the expression an event must make true to count (docs/expressions.md). */
  where?: string;
  /** Data rules: how far back events count (default 5m, from 10s to 1h). */
  window?: Duration;
  /** How long the condition must hold before the alert fires (default 1m). */
  for?: Duration;
  severity?: 'warning' | 'critical';
  /** Notification target ids (`alerts.targets`). */
  notify?: string[];
}

export interface WebhookTarget {
  id: string;
  type: 'webhook';
  url: string;
  /** Secret whose value signs each notification (HMAC-SHA256, header Sluice-Signature). */
  signingSecret?: string;
}

/** A sink, configured as a node of that type is, that each notification is written to as one event. */
export interface SinkTarget {
  id: string;
  type: 'sink';
  sink: { type: string; config: Record<string, unknown> };
}

/**
 * A sink node of this document: each notification is written through that node's connector
 * (its type and config, its secrets resolved as the run resolves them), by the server's own
 * instance of it (docs/alerts.md, "A sink node as target").
 */
export interface NodeTarget {
  id: string;
  type: 'node';
  node: string;
}

export type AlertTarget = WebhookTarget | SinkTarget | NodeTarget;

export interface AlertsSection {
  rules: AlertRule[];
  targets?: AlertTarget[];
}

export const MAX_ALERT_RULES = 200;
/** Longest `for`: a day. Longer is a report, not an alert. */
export const MAX_ALERT_FOR_MS = 24 * 3600_000;
export const DEFAULT_ALERT_FOR = '1m';

const ALERT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const idSchema = z.string().regex(ALERT_ID, { error: 'an id is 1 to 64 letters, digits, _ or -' });

export const alertsSchema = z
  .looseObject({
    rules: z
      .array(
        z.looseObject({
          id: idSchema,
          name: z.string().max(200).optional(),
          node: z.string().optional().meta({ description: 'Node watched' }),
          edge: z.string().optional().meta({ description: 'Edge watched (rate_below only)' }),
          when: z.enum(ALERT_CONDITIONS).meta({
            description:
              'rate_below: events/s under `value`; error_ratio_above: errors / events in above `value` (0-1); watermark_lag_above: seconds behind wall time above `value`; backlog_growing: the backlog before the node grew over the whole `for`; share_above: the share (0-1) of events on the edge matching `where` over `window` above `value`; count_above: the number of events on the edge matching `where` over `window` above `value`',
          }),
          value: z.number().min(0).optional(),
          where: z
            .string()
            .max(2000)
            .optional()
            .meta({ description: 'share_above, count_above: the expression an event crossing the edge must make true to count' }),
          window: durationSchema
            .optional()
            .meta({ description: 'share_above, count_above: how far back events count (default 5m, 10s to 1h)' }),
          for: durationSchema.optional().meta({ description: 'How long the condition holds before the alert fires (default 1m)' }),
          severity: z.enum(['warning', 'critical']).optional(),
          notify: z.array(idSchema).max(20).optional().meta({ description: 'Ids of alerts.targets to notify' }),
        }),
      )
      .max(MAX_ALERT_RULES),
    targets: z
      .array(
        z.discriminatedUnion('type', [
          z.looseObject({
            id: idSchema,
            type: z.literal('webhook'),
            url: z.string().min(1),
            signingSecret: z
              .string()
              .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'a secret name is upper case letters, digits and _' })
              .optional()
              .meta({ description: 'Secret that signs each notification (HMAC-SHA256, header Sluice-Signature)' }),
          }),
          z.looseObject({
            id: idSchema,
            type: z.literal('sink'),
            sink: z
              .strictObject({ type: z.string().min(1), config: z.record(z.string(), z.unknown()) })
              .meta({ description: 'A sink node type and its config, as a node of that type takes it; each notification is one event' }),
          }),
          z.looseObject({
            id: idSchema,
            type: z.literal('node'),
            node: z.string().min(1).meta({
              description: "A sink node of this document: each notification is written through that node's connector, as one event",
            }),
          }),
        ]),
      )
      .max(50)
      .optional(),
  })
  .meta({ description: 'Alert rules on node and edge metrics, and where to send them (docs/alerts.md)' });

/** Cross-reference problems: the nodes, edges and targets a rule names must exist and fit. */
export function validateAlerts(
  alerts: AlertsSection | undefined,
  graph: { nodes: readonly { id: string; type: string }[]; edges: readonly { id: string }[] },
  context: DataRuleContext = { params: {} },
): Diagnostic[] {
  if (!alerts) return [];
  const out: Diagnostic[] = [];
  const problem = (path: string, message: string) => out.push({ severity: 'error', code: 'alert-rule', message, path });
  const nodes = new Set(graph.nodes.map((n) => n.id));
  const edges = new Set(graph.edges.map((e) => e.id));
  const targets = new Set<string>();
  (alerts.targets ?? []).forEach((t, i) => {
    if (targets.has(t.id)) problem(`alerts.targets[${i}].id`, `two targets have the id "${t.id}"`);
    targets.add(t.id);
    if (t.type === 'sink') {
      out.push(...checkSinkTarget(t, `alerts.targets[${i}]`, context.registry));
      return;
    }
    if (t.type === 'node') {
      out.push(...checkNodeTarget(t, `alerts.targets[${i}]`, graph.nodes, context.registry));
      return;
    }
    let u: URL | undefined;
    try {
      u = new URL(t.url);
    } catch {
      problem(`alerts.targets[${i}].url`, `"${t.url}" is not a URL`);
    }
    if (u && u.protocol !== 'http:' && u.protocol !== 'https:') problem(`alerts.targets[${i}].url`, `${u.protocol} is not http: or https:`);
    if (u && (u.username || u.password)) problem(`alerts.targets[${i}].url`, 'the URL holds credentials; documents are shared');
  });
  const ids = new Set<string>();
  alerts.rules.forEach((r, i) => {
    const at = `alerts.rules[${i}]`;
    if (ids.has(r.id)) problem(`${at}.id`, `two alert rules have the id "${r.id}"`);
    ids.add(r.id);
    if ((r.node === undefined) === (r.edge === undefined)) problem(at, 'an alert rule watches one node or one edge: set node or edge');
    if (r.node !== undefined && !nodes.has(r.node)) problem(`${at}.node`, `"${r.node}" is not a node of this document`);
    if (r.edge !== undefined && !edges.has(r.edge)) problem(`${at}.edge`, `"${r.edge}" is not an edge of this document`);
    if (isDataRule(r)) out.push(...checkDataRule(r, at, context));
    else if (r.where !== undefined || r.window !== undefined)
      problem(at, `where and window belong to share_above and count_above, not ${r.when}`);
    if (r.edge !== undefined && r.when !== 'rate_below' && !isDataRule(r))
      problem(`${at}.when`, `${r.when} watches a node; an edge has a rate, share_above and count_above`);
    if (r.when === 'backlog_growing') {
      if (r.value !== undefined) problem(`${at}.value`, 'backlog_growing takes no value');
    } else if (r.value === undefined) problem(`${at}.value`, `${r.when} needs a value (${unitOf(r.when)})`);
    if ((r.when === 'error_ratio_above' || r.when === 'share_above') && r.value !== undefined && r.value > 1)
      problem(`${at}.value`, `${r.when === 'share_above' ? 'a share' : 'an error ratio'} is between 0 and 1 (${r.value} given)`);
    const forMs = parseDuration(r.for ?? DEFAULT_ALERT_FOR);
    if (forMs !== undefined && forMs > MAX_ALERT_FOR_MS) problem(`${at}.for`, 'for is at most 24h');
    (r.notify ?? []).forEach((t, j) => {
      if (!targets.has(t)) problem(`${at}.notify[${j}]`, `"${t}" is not one of alerts.targets`);
    });
  });
  return out;
}

export function unitOf(when: AlertCondition): string {
  return {
    rate_below: 'events per second',
    error_ratio_above: 'a ratio, 0 to 1',
    watermark_lag_above: 'seconds',
    backlog_growing: '',
    share_above: 'a share, 0 to 1',
    count_above: 'a number of events',
  }[when];
}

/** `for` in ms, the default filled in. */
export function alertForMs(r: AlertRule): number {
  return parseDuration(r.for ?? DEFAULT_ALERT_FOR) ?? 60_000;
}
