/**
 * The leader's side of data rules on BullMQ (docs/alerts.md, "Data rules on BullMQ"): every
 * evaluation round it writes the specs of the pipeline's data rules for the workers
 * (edge-rule-spec.ts), and sums each rule's per-bucket counts the workers published
 * (worker-edge-tally.ts) over the rule's window. Buckets that left the window are deleted here;
 * the hash itself expires when nobody writes it.
 */
import { type AlertRule, isDataRule, type ParamValue } from '@sluice/shared';
import type { RedisClient } from '../runners/bullmq/redis-client.js';
import type { RunHandle } from '../runners/runner.js';
import type { RedisKeys } from '../runners/bullmq/keys.js';
import type { EdgeCountSource } from './alert-edge-counters.js';
import type { WindowCount } from './alert-window-counter.js';
import { countedRules, windowFrom } from './edge-rule-spec.js';

/** The specs outlive a few missed rounds; an undeploy deletes them with the run's keys. */
const SPECS_TTL_MS = 30_000;

/** KEYS: run marker, specs. ARGV: JSON, TTL ms. Not written once the run is gone: an undeploy's delete stays a delete. */
const WRITE_SPECS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`;

type WriteFn = (numKeys: number, ...args: string[]) => Promise<number>;

export class RemoteEdgeCounts implements EdgeCountSource {
  private counts = new Map<string, WindowCount>();
  private readonly write: WriteFn;
  /** No data rule, and the workers were told so once: nothing to write or read each round. */
  private idle = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pipeline: string,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {
    if (!('sluiceAlertSpecsWrite' in redis)) redis.defineCommand('sluiceAlertSpecsWrite', { lua: WRITE_SPECS });
    this.write = (redis as unknown as { sluiceAlertSpecsWrite: WriteFn }).sluiceAlertSpecsWrite.bind(redis);
  }

  async sync(_handle: RunHandle, rules: readonly AlertRule[], params: Record<string, ParamValue>): Promise<void> {
    // One spec per rule, in order (countedRules keeps exactly these).
    const data = rules.filter((r) => isDataRule(r) && r.edge !== undefined && r.where !== undefined);
    const specs = countedRules(data, params);
    if (specs.length === 0 && this.idle) return;
    const counts = new Map<string, WindowCount>();
    try {
      await this.write(
        2,
        this.keys.runMarker(this.pipeline),
        this.keys.alertRules(this.pipeline),
        JSON.stringify(specs),
        String(SPECS_TTL_MS),
      );
      const now = this.now();
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i]!;
        const key = this.keys.alertCounts(this.pipeline, spec.key);
        const fields = await this.redis.hgetall(key);
        const from = windowFrom(now, spec);
        const c: WindowCount = { matching: 0, total: 0, failed: 0 };
        const old: string[] = [];
        for (const [field, value] of Object.entries(fields)) {
          const [bucket, kind] = field.split(':');
          if (Number(bucket) < from) {
            old.push(field);
            continue;
          }
          const n = Number(value);
          if (kind === 'm') c.matching += n;
          else if (kind === 't') c.total += n;
          else if (kind === 'f') c.failed += n;
        }
        if (old.length > 0) await this.redis.hdel(key, ...old);
        counts.set(data[i]!.id, c);
      }
      this.idle = specs.length === 0;
    } catch (err) {
      this.log(`alert ${this.pipeline}: data rule counts could not be read: ${(err as Error).message}`);
    }
    this.counts = counts;
  }

  read(ruleId: string): WindowCount | undefined {
    return this.counts.get(ruleId);
  }

  clear(): void {
    this.counts = new Map();
  }
}
