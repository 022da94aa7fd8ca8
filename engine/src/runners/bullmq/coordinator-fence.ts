/**
 * The coordinator's fence (docs/multi-server.md, "Fencing in Redis"). In a server cluster every
 * run's coordinator carries the leader lease's token (Redis's clock in microseconds when the
 * lease was taken: larger for every new leader). Each write a coordinator makes that changes a
 * run (its gate, its deploy, its checkpoints, its cleanup) goes through one script that compares
 * that token with the highest token seen for the pipeline, `<prefix>:cfence:{<pipeline>}`, in
 * the same slot as the pipeline's other keys: a lower token is refused, an equal or higher one
 * raises it. A leader that resumes a run raises it before anything else (`claim`), so a leader
 * that was paused past its lease and wakes up changes nothing, whatever its own timers believe.
 * Writes other than the marker's own also need the run marker: a run undeployed meanwhile is
 * not brought back by a late write. A run without a token (`sluice run`, no cluster) is unfenced.
 */
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './keys.js';
import { RunStateLost } from './run-marker.js';

/**
 * KEYS: fence, marker, then the op's keys. ARGV: token ('' unfenced), op, then the op's values.
 * Ops: `claim` (raise the fence only), `set` (SET KEYS[3] ARGV[3]), `del` (DEL KEYS[3..]),
 * `mark` (SET the marker to ARGV[3]), `unmark` (DEL the marker and KEYS[3..]); these two need no marker.
 * {1} done, {0} marker gone, {-2, held} refused: a coordinator with token `held` took the run.
 */
const FENCED = `
if ARGV[1] ~= '' then
  local held = redis.call('GET', KEYS[1])
  if held and tonumber(held) > tonumber(ARGV[1]) then return {-2, held} end
end
local op = ARGV[2]
if op ~= 'mark' and op ~= 'unmark' and redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
if op == 'set' then redis.call('SET', KEYS[3], ARGV[3])
elseif op == 'mark' then redis.call('SET', KEYS[2], ARGV[3])
elseif op == 'del' or op == 'unmark' then
  if op == 'unmark' then redis.call('DEL', KEYS[2]) end
  for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
end
return {1}
`;

type FencedFn = (numKeys: number, ...args: string[]) => Promise<[number, string?]>;

/** A coordinator write refused: a newer leader coordinates the run now. */
export class CoordinatorFenced extends Error {
  readonly code = 'coordinator-fenced';
  constructor(
    readonly what: string,
    readonly token: string,
    readonly held: string,
  ) {
    super(`coordinator write refused (${what}): a newer leader (token ${held}) coordinates this run; this one holds token ${token}`);
    this.name = 'CoordinatorFenced';
  }
}

export function isCoordinatorFenced(err: unknown): err is CoordinatorFenced {
  return (err as { code?: unknown } | undefined)?.code === 'coordinator-fenced';
}

/** The fenced writes of one run's coordinator. `token` '' writes unfenced (no cluster). */
export class CoordinatorFence {
  private readonly script: FencedFn;
  private readonly fenceKey: string;
  private readonly markerKey: string;

  constructor(
    redis: RedisClient,
    keys: RedisKeys,
    pid: string,
    readonly token: string,
    /** Told of every refused write (the server counts and logs them). */
    private readonly onRefused?: (err: CoordinatorFenced) => void,
  ) {
    if (!('sluiceCoordinatorFenced' in redis)) redis.defineCommand('sluiceCoordinatorFenced', { lua: FENCED });
    this.script = (redis as unknown as { sluiceCoordinatorFenced: FencedFn }).sluiceCoordinatorFenced.bind(redis);
    this.fenceKey = keys.coordinatorFence(pid);
    this.markerKey = keys.runMarker(pid);
  }

  private async run(what: string, op: string, keys: string[], values: string[] = []): Promise<void> {
    const [r, held] = await this.script(2 + keys.length, this.fenceKey, this.markerKey, ...keys, this.token, op, ...values);
    if (r === 1) return;
    if (r === 0) throw new RunStateLost(this.markerKey);
    const err = new CoordinatorFenced(what, this.token, held ?? '?');
    this.onRefused?.(err);
    throw err;
  }

  /** A leader resuming the run: from now on a coordinator with a lower token writes nothing. */
  claim(): Promise<void> {
    return this.run('resume', 'claim', []);
  }

  /** Throws CoordinatorFenced when a newer leader took the run (before a step the script cannot cover). */
  check(what: string): Promise<void> {
    return this.run(what, 'claim', []);
  }

  set(what: string, key: string, value: string): Promise<void> {
    return this.run(what, 'set', [key], [value]);
  }

  del(what: string, keys: readonly string[]): Promise<void> {
    return keys.length === 0 ? Promise.resolve() : this.run(what, 'del', [...keys]);
  }

  /** A fresh deploy's marker (run-marker.ts). */
  mark(generation: string): Promise<void> {
    return this.run('deploy', 'mark', [], [generation]);
  }

  /** The first step of an undeploy: the marker (and `keys`) go; every later write of the run is refused. */
  unmark(what: string, keys: readonly string[]): Promise<void> {
    return this.run(what, 'unmark', [...keys]);
  }
}
