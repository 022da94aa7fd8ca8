/**
 * Where alert states outlive the evaluating server (docs/alerts.md, "Across a leader change").
 * In a cluster only the leader evaluates; a new leader reads the states the last one wrote, so
 * a firing alert is not fired again and a pending one keeps its `for` clock. One key per
 * pipeline, `<prefix>:alerts:{<pipeline>}` (the run's hash tag), holding every rule's state as
 * JSON, rewritten after each evaluation round with a TTL, and fenced as the coordinator's writes
 * are (coordinator-fence.ts): refused when a leader with a larger token has claimed the run, or
 * when the run marker is gone (an undeploy deletes the key with the run's other keys, and a
 * late write must not bring it back).
 */
import type { RedisClient } from '../runners/bullmq/redis-client.js';
import type { RedisKeys } from '../runners/bullmq/keys.js';
import type { AlertState } from './alert-state.js';

export interface AlertStateStore {
  /** The states last written for the pipeline; empty when none (or expired). */
  load(pipeline: string): Promise<Map<string, AlertState>>;
  /** Writes them; false when the write was refused (another leader, or the run is gone). */
  save(pipeline: string, states: ReadonlyMap<string, AlertState>): Promise<boolean>;
}

/**
 * Long enough to cover a takeover (the lease TTL, 6 s, plus a resume), short enough that a
 * pipeline stopped outside the cluster's knowledge does not keep stale states for long.
 */
export const ALERT_STATES_TTL_MS = 120_000;

/** KEYS: fence, marker, states. ARGV: token ('' unfenced), JSON, TTL ms. {1} written, {0} no run, {-2, held} refused. */
const SAVE = `
if ARGV[1] ~= '' then
  local held = redis.call('GET', KEYS[1])
  if held and tonumber(held) > tonumber(ARGV[1]) then return {-2, held} end
end
if redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
return {1}
`;

type SaveFn = (numKeys: number, ...args: string[]) => Promise<[number, string?]>;

export class RedisAlertStates implements AlertStateStore {
  private readonly script: SaveFn;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** The leader lease's token now; undefined: not leading (nothing is written). */
    private readonly token: () => string | undefined,
    private readonly log: (line: string) => void,
  ) {
    if (!('sluiceAlertStatesSave' in redis)) redis.defineCommand('sluiceAlertStatesSave', { lua: SAVE });
    this.script = (redis as unknown as { sluiceAlertStatesSave: SaveFn }).sluiceAlertStatesSave.bind(redis);
  }

  async load(pipeline: string): Promise<Map<string, AlertState>> {
    const raw = await this.redis.get(this.keys.alertStates(pipeline));
    if (raw === null) return new Map();
    try {
      return new Map(Object.entries(JSON.parse(raw) as Record<string, AlertState>));
    } catch {
      return new Map();
    }
  }

  async save(pipeline: string, states: ReadonlyMap<string, AlertState>): Promise<boolean> {
    const token = this.token();
    if (token === undefined) return false;
    const [r, held] = await this.script(
      3,
      this.keys.coordinatorFence(pipeline),
      this.keys.runMarker(pipeline),
      this.keys.alertStates(pipeline),
      token,
      JSON.stringify(Object.fromEntries(states)),
      String(ALERT_STATES_TTL_MS),
    );
    if (r === -2)
      this.log(
        `alert states of pipeline ${pipeline} not written: a newer leader (token ${held}) evaluates them; this server holds token ${token}`,
      );
    return r === 1;
  }
}
