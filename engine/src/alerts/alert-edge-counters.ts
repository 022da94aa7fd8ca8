/**
 * The data rules' counters of one running pipeline, each on a tap of the edge it watches
 * (a tap that keeps no events, so it costs the hot path one expression call per event). Kept in
 * step with the rules on every re-read: a rule whose edge, `where` or window changed gets a
 * fresh counter; so does every rule when the run's handle changes (a restart).
 */
import { type AlertRule, dataWindowMs, isDataRule, type ParamValue } from '@sluice/shared';
import type { RunHandle } from '../runners/runner.js';
import { type WindowCount, WindowCounter } from './alert-window-counter.js';

interface Attached {
  key: string;
  counter: WindowCounter;
  off: () => void;
}

/** Where a pipeline's data rules get their counts: taps here (embedded), or the workers' sums (remote-edge-counts.ts). */
export interface EdgeCountSource {
  sync(handle: RunHandle, rules: readonly AlertRule[], params: Record<string, ParamValue>): void | Promise<void>;
  read(ruleId: string): WindowCount | undefined;
  clear(): void;
}

export class EdgeCounters implements EdgeCountSource {
  private readonly byRule = new Map<string, Attached>();
  private handle: RunHandle | undefined;

  constructor(
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  sync(handle: RunHandle, rules: readonly AlertRule[], params: Record<string, ParamValue>): void {
    if (handle !== this.handle) this.clear();
    this.handle = handle;
    const wanted = new Set<string>();
    for (const r of rules) {
      if (!isDataRule(r) || r.edge === undefined || r.where === undefined) continue;
      wanted.add(r.id);
      const key = JSON.stringify([r.edge, r.where, dataWindowMs(r), params]);
      if (this.byRule.get(r.id)?.key === key) continue;
      this.byRule.get(r.id)?.off();
      this.byRule.delete(r.id);
      try {
        const counter = new WindowCounter(r.where, params, dataWindowMs(r), this.now);
        const off = handle.tap(r.edge, counter.observe, { keeps: false });
        this.byRule.set(r.id, { key, counter, off });
      } catch (err) {
        // A saved draft may hold a rule that does not compile: validation names it; nothing counts.
        this.log(`alert ${handle.pipelineId}/${r.id}: where cannot be evaluated: ${(err as Error).message}`);
      }
    }
    for (const [id, a] of this.byRule)
      if (!wanted.has(id)) {
        a.off();
        this.byRule.delete(id);
      }
  }

  read(ruleId: string): WindowCount | undefined {
    return this.byRule.get(ruleId)?.counter.read();
  }

  clear(): void {
    for (const a of this.byRule.values()) a.off();
    this.byRule.clear();
    this.handle = undefined;
  }
}
