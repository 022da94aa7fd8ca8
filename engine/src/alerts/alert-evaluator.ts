/**
 * The server's alert evaluator: every second, for each pipeline this server coordinates, it
 * samples the run's metrics, measures each rule of the saved document's `alerts` section, steps
 * the rule's state, and notifies the rule's targets of each transition (firing, resolved).
 * Rules are read from the store at most every few seconds: an edit to an alert applies without
 * a redeploy, as a Prometheus rule reload does. In a cluster only the leader evaluates (it is
 * the one that owns the runs), so a transition is sent once.
 */
import {
  type AlertRule,
  type AlertsSection,
  alertForMs,
  isDataRule,
  type ParamValue,
  type PipelineMetrics,
  paramValues,
} from '@sluice/shared';
import type { RunHandle } from '../runners/runner.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { type Sample, measure } from './alert-conditions.js';
import { type EdgeCountSource, EdgeCounters } from './alert-edge-counters.js';
import { describeCondition } from './alert-queries.js';
import { type AlertNotification, notify, type NotifierOptions } from './alert-notifier.js';
import { SinkTargets } from './alert-sink-target.js';
import { type AlertState, step } from './alert-state.js';
import type { AlertStateStore } from './alert-state-store.js';
import { RemoteEdgeCounts } from './remote-edge-counts.js';
import type { RedisClient } from '../runners/bullmq/redis-client.js';
import type { RedisKeys } from '../runners/bullmq/keys.js';

/** Samples kept per pipeline: the longest window (5 min) at one per second, and some. */
const KEEP_MS = 6 * 60_000;
const RULES_REFRESH_MS = 5_000;

export interface AlertView {
  rule: string;
  name: string;
  /** What the rule watches: a node, or an edge. */
  node?: string;
  edge?: string;
  state: AlertState['phase'];
  since?: number;
  value?: number;
  /** When `value` was measured. */
  measuredAt?: number;
}

interface Watched {
  samples: Sample[];
  states: Map<string, AlertState>;
  alerts?: AlertsSection;
  params: Record<string, ParamValue>;
  baseDir: string;
  /** The document's nodes, for targets naming a sink node. */
  nodes: ReadonlyMap<string, { type: string; config: Record<string, unknown> }>;
  counters: EdgeCountSource;
  rulesAt: number;
  /** When states were restored from the store (another server evaluated before this one). */
  restoredAt?: number;
}

/**
 * After a restore, a rule whose measure has no value yet (a rate needs 10 s of this server's
 * own samples) keeps its restored state this long, instead of reading "no value" as "no longer
 * holds" and resolving or resetting its `for` clock.
 */
const RESTORE_GRACE_MS = 60_000;

export class AlertEvaluator {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sinks: SinkTargets;

  constructor(
    private readonly o: {
      runs(): ReadonlyMap<string, RunHandle>;
      store: PipelineStore;
      notifier: NotifierOptions;
      /**
       * Whether data rules (share_above, count_above) are counted (default true): by taps on the
       * run's edges, or, with `remoteCounts` (BullMQ: the edges run in the workers), by the
       * workers, whose per-bucket counts this server sums from Redis.
       */
      countsEdges?: boolean;
      remoteCounts?: { redis: RedisClient; keys: RedisKeys };
      /** Where states outlive this server (a cluster: Redis; one server: its store); absent: in memory only. */
      states?: AlertStateStore;
      /** Folders a sink target's files must be in (as the pipelines' own sinks). */
      fileRoots?: readonly string[];
      intervalMs?: number;
      now?: () => number;
    },
  ) {
    this.sinks = new SinkTargets(o.notifier.log);
  }

  start(): void {
    const tick = () => {
      void this.tick().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.o.intervalMs ?? 1000);
      });
    };
    this.timer = setTimeout(tick, this.o.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await Promise.allSettled([...this.inFlight]);
    for (const w of this.watched.values()) w.counters.clear();
    await this.sinks.close();
  }

  /** The rules' states for a pipeline (every rule of its saved document; ok when not running). */
  async view(pipelineId: string): Promise<AlertView[]> {
    const w = this.watched.get(pipelineId);
    const rules = w?.alerts?.rules ?? (await this.o.store.get(pipelineId))?.document.alerts?.rules ?? [];
    return rules.map((r) => {
      const s = w?.states.get(r.id) ?? { phase: 'ok' as const };
      return {
        rule: r.id,
        name: r.name ?? r.id,
        ...(r.node !== undefined ? { node: r.node } : {}),
        ...(r.edge !== undefined ? { edge: r.edge } : {}),
        state: s.phase,
        ...(s.since !== undefined ? { since: s.since } : {}),
        ...(s.value !== undefined ? { value: s.value } : {}),
        ...(s.measuredAt !== undefined ? { measuredAt: s.measuredAt } : {}),
      };
    });
  }

  /** One evaluation round (exposed for tests, which drive time themselves). */
  async tick(): Promise<void> {
    const clock = this.o.now ?? Date.now;
    const now = clock();
    const runs = this.o.runs();
    for (const [id, w] of this.watched)
      if (!runs.has(id)) {
        w.counters.clear();
        this.watched.delete(id);
        void this.sinks.close(id);
      }
    for (const [id, handle] of runs) {
      let metrics: PipelineMetrics;
      try {
        metrics = handle.metrics();
      } catch {
        continue;
      }
      let w = this.watched.get(id);
      if (!w) {
        const remote = this.o.remoteCounts;
        const counters = remote
          ? new RemoteEdgeCounts(remote.redis, remote.keys, id, clock, this.o.notifier.log)
          : new EdgeCounters(clock, this.o.notifier.log);
        w = { samples: [], states: new Map(), params: {}, baseDir: '.', nodes: new Map(), counters, rulesAt: -Infinity };
        this.watched.set(id, w);
        const restored = await this.load(id);
        if (restored.size > 0) {
          w.states = restored;
          w.restoredAt = now;
        }
      }
      if (now - w.rulesAt >= RULES_REFRESH_MS) {
        const stored = await this.o.store.get(id);
        w.alerts = stored?.document.alerts;
        w.params = stored ? paramValues(stored.document) : {};
        w.baseDir = stored?.baseDir ?? '.';
        w.nodes = new Map((stored?.document.nodes ?? []).map((n) => [n.id, { type: n.type, config: n.config ?? {} }]));
        w.rulesAt = now;
      }
      // Every tick, not only on a re-read: a restarted run has a new handle to tap.
      if (this.o.countsEdges !== false) await w.counters.sync(handle, w.alerts?.rules ?? [], w.params);
      w.samples.push({ at: now, metrics });
      while (w.samples.length > 0 && now - w.samples[0]!.at > KEEP_MS) w.samples.shift();
      for (const rule of w.alerts?.rules ?? []) this.evaluate(id, w, rule, now);
      await this.save(id, w);
    }
  }

  private async load(pipeline: string): Promise<Map<string, AlertState>> {
    try {
      return (await this.o.states?.load(pipeline)) ?? new Map();
    } catch (err) {
      this.o.notifier.log(`alert states of pipeline ${pipeline} could not be read: ${(err as Error).message}; starting from ok`);
      return new Map();
    }
  }

  private async save(pipeline: string, w: Watched): Promise<void> {
    if (!this.o.states) return;
    const ids = new Set((w.alerts?.rules ?? []).map((r) => r.id));
    for (const id of w.states.keys()) if (!ids.has(id)) w.states.delete(id);
    try {
      await this.o.states.save(pipeline, w.states);
    } catch (err) {
      this.o.notifier.log(`alert states of pipeline ${pipeline} could not be written: ${(err as Error).message}`);
    }
  }

  private evaluate(pipeline: string, w: Watched, rule: AlertRule, now: number): void {
    const before = w.states.get(rule.id) ?? { phase: 'ok' };
    const count = isDataRule(rule) ? w.counters.read(rule.id) : undefined;
    const measured = measure(rule, w.samples, count);
    if (measured === undefined && before.phase !== 'ok' && w.restoredAt !== undefined && now - w.restoredAt < RESTORE_GRACE_MS) return;
    const { next, transition } = step(before, measured, now, alertForMs(rule));
    w.states.set(rule.id, next);
    if (!transition) return;
    const since = transition === 'firing' ? next.since! : before.since!;
    const n: AlertNotification = {
      pipeline,
      rule: rule.id,
      name: rule.name ?? rule.id,
      state: transition,
      condition: describeCondition(rule),
      value: next.value ?? null,
      threshold: rule.value ?? null,
      since,
      at: now,
    };
    this.o.notifier.log(`alert ${pipeline}/${rule.id} ${transition}: ${n.condition} (value ${n.value})`);
    for (const targetId of rule.notify ?? []) {
      const target = w.alerts?.targets?.find((t) => t.id === targetId);
      if (!target) continue;
      const place = { baseDir: w.baseDir, params: w.params, ...(this.o.fileRoots ? { fileRoots: this.o.fileRoots } : {}) };
      let sent: Promise<boolean>;
      if (target.type === 'webhook') sent = notify(target, n, this.o.notifier);
      else if (target.type === 'sink') sent = this.sinks.write(pipeline, target.id, target.sink, n, place);
      else {
        const node = w.nodes.get(target.node);
        // A saved draft may name a node since removed: validation names it; nothing is written.
        if (!node) {
          this.o.notifier.log(
            `alert ${pipeline}/${rule.id} (${transition}): target ${target.id} names node ${target.node}, which is not in the document`,
          );
          continue;
        }
        sent = this.sinks.write(pipeline, target.id, { ...node, via: target.node }, n, place);
      }
      this.inFlight.add(sent);
      void sent.finally(() => this.inFlight.delete(sent));
    }
  }
}
