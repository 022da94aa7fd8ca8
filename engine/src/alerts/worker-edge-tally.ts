/**
 * The worker side of data rules on BullMQ (docs/alerts.md, "Data rules on BullMQ"): each task
 * and each source partition counts, for every data rule on an edge it produces, how many events
 * crossed and how many made `where` true, and publishes the counts of a unit of work (an input
 * batch, a source checkpoint) just before it commits. The publish is one script that adds the
 * counts to the rule's current time bucket only if the edge's committed count (the exchange's
 * edge count, which the commit carries) moved past the one last published for that task: a batch
 * retried after a crash, which yields the same events and the same count, adds nothing.
 */
import { type AlertsSection, compileExpression, type Event, type ParamValue } from '@sluice/shared';
import type { RedisClient } from '../runners/bullmq/redis-client.js';
import type { RedisKeys } from '../runners/bullmq/keys.js';
import { type CountedRule, countedRules, countsTtlMs } from './edge-rule-spec.js';

/** The hook a task host or a source unit calls (task-host.ts, source-unit.ts). */
export interface EdgeTally {
  /** A unit of work starts: whatever an abandoned attempt counted is dropped. */
  begin(): void;
  observe(edgeId: string, events: readonly Event[]): void;
  /** The unit is about to commit: publish its counts (never throws; a failure is logged). */
  end(edgeCounts: Readonly<Record<string, number>>): Promise<void>;
}

/** How long the dedup marks live: far longer than a takeover, refreshed on every publish. */
const COUNTED_TTL_MS = 600_000;

/**
 * KEYS: run marker, counted marks, then one counts hash per rule entry. ARGV: marks TTL, number
 * of edge groups, then per group: mark field, the edge's committed count, number of rules, and
 * per rule: bucket start, matching, total, failed, TTL. Nothing is written once the run marker
 * is gone (an undeploy must not be followed by counts that outlive it). Returns the rule entries added.
 */
const PUBLISH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local i = 3
local k = 3
local added = 0
for g = 1, tonumber(ARGV[2]) do
  local field = ARGV[i]
  local count = tonumber(ARGV[i + 1])
  local n = tonumber(ARGV[i + 2])
  i = i + 3
  local last = tonumber(redis.call('HGET', KEYS[2], field) or '-1')
  local fresh = count > last
  if fresh then redis.call('HSET', KEYS[2], field, ARGV[i - 2]) end
  for r = 1, n do
    if fresh then
      local b = ARGV[i]
      redis.call('HINCRBY', KEYS[k], b .. ':m', ARGV[i + 1])
      redis.call('HINCRBY', KEYS[k], b .. ':t', ARGV[i + 2])
      redis.call('HINCRBY', KEYS[k], b .. ':f', ARGV[i + 3])
      redis.call('PEXPIRE', KEYS[k], ARGV[i + 4])
      added = added + 1
    end
    i = i + 5
    k = k + 1
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return added
`;

type PublishFn = (numKeys: number, ...args: string[]) => Promise<number>;

interface Compiled extends CountedRule {
  test: (e: Event) => unknown;
}

/** One deployed pipeline's data rules on one worker, shared by its tasks and source partitions. */
export class EdgeRuleCounting {
  private byEdge = new Map<string, Compiled[]>();
  private raw: string | undefined;
  private readonly publishFn: PublishFn;
  private readonly warned = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
    private readonly generation: string,
    /** The deployed document's rules: counted from the first event, before the leader writes its specs. */
    deployed: { alerts?: AlertsSection | undefined; params: Record<string, ParamValue> },
    private readonly log: (line: string) => void,
  ) {
    if (!('sluiceAlertCountsPublish' in redis)) redis.defineCommand('sluiceAlertCountsPublish', { lua: PUBLISH });
    this.publishFn = (redis as unknown as { sluiceAlertCountsPublish: PublishFn }).sluiceAlertCountsPublish.bind(redis);
    this.use(countedRules(deployed.alerts?.rules ?? [], deployed.params));
  }

  /** Reads the leader's specs (an edited rule applies without a redeploy); kept as they are when absent. */
  async refresh(): Promise<void> {
    const raw = await this.redis.get(this.keys.alertRules(this.pid));
    if (raw === null || raw === this.raw) return;
    this.raw = raw;
    try {
      this.use(JSON.parse(raw) as CountedRule[]);
    } catch (err) {
      this.log(`${this.pid}: alert rule specs unreadable: ${(err as Error).message}`);
    }
  }

  get active(): boolean {
    return this.byEdge.size > 0;
  }

  rulesOn(edgeId: string): readonly Compiled[] | undefined {
    return this.byEdge.get(edgeId);
  }

  tallyFor = (stage: number, partition: number): EdgeTally => new UnitTally(this, `${this.generation}|${stage}|${partition}`);

  async publish(unit: string, pending: ReadonlyMap<string, Pending>, edgeCounts: Readonly<Record<string, number>>): Promise<void> {
    const groups = new Map<string, Pending[]>();
    for (const p of pending.values()) {
      const g = groups.get(p.rule.edge);
      if (g) g.push(p);
      else groups.set(p.rule.edge, [p]);
    }
    const keys = [this.keys.runMarker(this.pid), this.keys.alertCounted(this.pid)];
    const args = [String(COUNTED_TTL_MS), String(groups.size)];
    const now = Date.now();
    for (const [edge, list] of groups) {
      args.push(`${unit}|${edge}`, String(edgeCounts[edge] ?? 0), String(list.length));
      for (const p of list) {
        keys.push(this.keys.alertCounts(this.pid, p.rule.key));
        const bucket = Math.floor(now / p.rule.bucketMs) * p.rule.bucketMs;
        args.push(String(bucket), String(p.matching), String(p.total), String(p.failed), String(countsTtlMs(p.rule)));
      }
    }
    try {
      await this.publishFn(keys.length, ...keys, ...args);
    } catch (err) {
      this.log(`${this.pid}: data rule counts of ${unit} not published (they are lost): ${(err as Error).message}`);
    }
  }

  private use(specs: readonly CountedRule[]): void {
    const byEdge = new Map<string, Compiled[]>();
    for (const s of specs) {
      let test: (e: Event) => unknown;
      try {
        test = compileExpression(s.where, { params: s.params, now: Date.now });
      } catch (err) {
        // A saved draft may hold a rule that does not compile: validation names it; nothing counts.
        if (!this.warned.has(s.key))
          this.log(`${this.pid}: where of a data rule on ${s.edge} cannot be evaluated: ${(err as Error).message}`);
        this.warned.add(s.key);
        continue;
      }
      const list = byEdge.get(s.edge) ?? [];
      list.push({ ...s, test });
      byEdge.set(s.edge, list);
    }
    this.byEdge = byEdge;
  }
}

interface Pending {
  rule: Compiled;
  matching: number;
  total: number;
  failed: number;
}

/** One task's or source partition's counts since its last commit. */
class UnitTally implements EdgeTally {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly counting: EdgeRuleCounting,
    private readonly unit: string,
  ) {}

  begin(): void {
    if (this.pending.size > 0) this.pending = new Map();
  }

  observe(edgeId: string, events: readonly Event[]): void {
    const rules = this.counting.rulesOn(edgeId);
    if (!rules) return;
    for (const rule of rules) {
      let p = this.pending.get(rule.key);
      if (!p) this.pending.set(rule.key, (p = { rule, matching: 0, total: 0, failed: 0 }));
      for (let i = 0; i < events.length; i++) {
        try {
          if (rule.test(events[i]!) === true) p.matching++;
        } catch {
          p.failed++;
        }
      }
      p.total += events.length;
    }
  }

  async end(edgeCounts: Readonly<Record<string, number>>): Promise<void> {
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    await this.counting.publish(this.unit, pending, edgeCounts);
  }
}
