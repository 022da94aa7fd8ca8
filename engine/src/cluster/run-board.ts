/**
 * What a follower knows of the runs: the leader writes each run's status and metrics to the hash
 * `<prefix>:cluster:runs` (field = pipeline id) every half second; followers read it into
 * RemoteRun handles, so status, metrics, Prometheus and the live metrics stream answer on every
 * server, at most about a second behind the leader (docs/multi-server.md).
 */
import type { PipelineMetrics, RunStatus } from '@sluice/shared';
import type { RunHandle, RunResult } from '../runners/runner.js';
import type { TapListener } from '../runtime/taps.js';
import type { FollowerTaps } from './follower-taps.js';
import type { RedisClient } from '../runners/bullmq/redis-client.js';

/** The board's field holding the highest leader token that wrote it (not a run). */
export const BOARD_FENCE_FIELD = '~fence';

/**
 * KEYS: board. ARGV: leader token, then field, value pairs. Refused (-2, the token held) when a
 * leader with a higher token wrote the board; otherwise the fields not given go, these are set.
 */
const PUBLISH = `
local held = redis.call('HGET', KEYS[1], '${BOARD_FENCE_FIELD}')
if held and tonumber(held) > tonumber(ARGV[1]) then return {-2, held} end
local keep = {}
for i = 2, #ARGV, 2 do keep[ARGV[i]] = true end
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if f ~= '${BOARD_FENCE_FIELD}' and not keep[f] then redis.call('HDEL', KEYS[1], f) end
end
redis.call('HSET', KEYS[1], '${BOARD_FENCE_FIELD}', ARGV[1])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {1}
`;

type PublishFn = (board: string, token: string, ...fields: string[]) => Promise<[number, string?]>;

/**
 * The leader's write of the board, fenced by its lease token in one script: a leader that was
 * paused past its lease and wakes up cannot overwrite what the new leader publishes. Returns the
 * higher token that refused it, or undefined when written.
 */
export async function publishBoard(redis: RedisClient, board: string, token: string, fields: string[]): Promise<string | undefined> {
  if (!('sluicePublishBoard' in redis)) redis.defineCommand('sluicePublishBoard', { numberOfKeys: 1, lua: PUBLISH });
  const [r, held] = await (redis as unknown as { sluicePublishBoard: PublishFn }).sluicePublishBoard(board, token, ...fields);
  return r === 1 ? undefined : (held ?? '?');
}

/** One run as the leader published it. */
export interface BoardEntry {
  /** Same for one run (one handle on the leader); a new run (stop and start) has a new one. */
  run: string;
  status: RunStatus;
  metrics: PipelineMetrics;
  /** When the leader wrote it (epoch ms). */
  at: number;
  /** Edges that run inside workers: their samples come over Redis, so a follower can tap them. */
  workerEdges?: string[];
}

const NEVER = new Promise<RunResult>(() => undefined);

/**
 * A run coordinated by another server. Read-only: stop and redeploy go to the leader through the
 * deployment manager. Taps: edges inside workers through Redis (follower-taps.ts); edges of
 * source stages see no events here (they cross the leader's process only).
 */
export class RemoteRun implements RunHandle {
  readonly done: Promise<RunResult> = NEVER;

  constructor(
    readonly pipelineId: string,
    private entry: BoardEntry,
    private readonly taps?: FollowerTaps,
  ) {}

  get run(): string {
    return this.entry.run;
  }

  update(entry: BoardEntry): void {
    this.entry = entry;
  }

  /** The leader no longer lists it (stopped, replaced): live streams see it end. */
  gone(): void {
    if (this.entry.status === 'starting' || this.entry.status === 'running') this.entry = { ...this.entry, status: 'stopped' };
  }

  status(): RunStatus {
    return this.entry.status;
  }

  metrics(): PipelineMetrics {
    return this.entry.metrics;
  }

  stop(): Promise<RunResult> {
    return Promise.reject(new Error(`pipeline "${this.pipelineId}" runs on the leading server: stop it through the deployment manager`));
  }

  tap(edgeId: string, listener: TapListener): () => void {
    if (!this.taps || !this.entry.workerEdges?.includes(edgeId)) return () => undefined;
    return this.taps.add(this.pipelineId, edgeId, listener);
  }
}

/** Follower side: the board as handles, one object per run so that live streams can tell runs apart. */
export class RunBoardView {
  private readonly runs = new Map<string, RemoteRun>();

  constructor(private readonly taps?: FollowerTaps) {}

  get all(): ReadonlyMap<string, RunHandle> {
    return this.runs;
  }

  get(id: string): RemoteRun | undefined {
    return this.runs.get(id);
  }

  /** Replace the view by what the hash holds now. */
  apply(fields: Record<string, string>): void {
    const seen = new Set<string>();
    for (const [id, raw] of Object.entries(fields)) {
      if (id === BOARD_FENCE_FIELD) continue;
      let entry: BoardEntry;
      try {
        entry = JSON.parse(raw) as BoardEntry;
      } catch {
        continue;
      }
      seen.add(id);
      const known = this.runs.get(id);
      if (known && known.run === entry.run) known.update(entry);
      else {
        known?.gone();
        this.runs.set(id, new RemoteRun(id, entry, this.taps));
      }
    }
    for (const [id, r] of this.runs)
      if (!seen.has(id)) {
        r.gone();
        this.runs.delete(id);
      }
  }

  /** This server leads now: its own handles replace these (the runs did not end, so no `gone`). */
  clear(): void {
    this.runs.clear();
  }
}
