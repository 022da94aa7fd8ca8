/**
 * Source checkpoints (the coordinator's side of exactly-once): where each source is, what its
 * channels have sent, and the state of the operators chained to it, in one Redis value per
 * source. A restarted coordinator resumes from it (docs/bullmq-runner.md).
 */
import type { RedisClient } from './redis-client.js';
import { pack, unpack } from 'msgpackr';
import type { NodeCounts } from '@sluice/shared';
import type { ErrorSample } from '../../metrics/error-samples.js';
import type { StateSnapshot } from '@sluice/nodes/sdk';
import type { ExchangeState } from './exchange-buffer.js';
import type { RedisKeys } from './keys.js';
import { RunStateLost } from './run-marker.js';

/**
 * KEYS: checkpoint, run marker. ARGV: the checkpoint. Written only while the marker exists: a
 * checkpoint must never be recreated in a Redis that lost the run (run-marker.ts). 1 or 0.
 */
const WRITE_CHECKPOINT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

type WriteFn = (key: string, marker: string, cp: Buffer) => Promise<number>;

export interface SourceCheckpoint {
  position: unknown;
  /**
   * Written before a batch's jobs are enqueued: where the batch started and how many records it
   * took. A coordinator that dies before the next checkpoint re-reads exactly that batch, so the
   * jobs it enqueues again have the same ids *and* the same content.
   */
  pending?: { from: unknown; records: number };
  exchange: ExchangeState;
  watermark: number;
  done: boolean;
  counters: Record<string, NodeCounts>;
  /** Error samples of the stage's nodes, as the counters (task-state-store.ts). */
  errors?: Record<string, ErrorSample[]>;
  /**
   * State of the stage's operators as of this checkpoint: a sink chained into the source stage
   * keeps its committed length here, so a restarted coordinator truncates what it wrote after
   * the checkpoint and writes the re-read batch once.
   */
  operators?: Record<string, StateSnapshot>;
}

export class SourceCheckpoints {
  private readonly writeScript: WriteFn;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
  ) {
    if (!('sluiceWriteCheckpoint' in redis)) redis.defineCommand('sluiceWriteCheckpoint', { numberOfKeys: 2, lua: WRITE_CHECKPOINT });
    this.writeScript = (redis as unknown as { sluiceWriteCheckpoint: WriteFn }).sluiceWriteCheckpoint.bind(redis);
  }

  async read(nodeId: string): Promise<SourceCheckpoint | undefined> {
    const raw = await this.redis.getBuffer(this.keys.sourceCheckpoint(this.pid, nodeId));
    return raw ? (unpack(raw) as SourceCheckpoint) : undefined;
  }

  /** Throws RunStateLost when the run marker is gone. */
  async write(nodeId: string, cp: SourceCheckpoint): Promise<void> {
    const marker = this.keys.runMarker(this.pid);
    if ((await this.writeScript(this.keys.sourceCheckpoint(this.pid, nodeId), marker, pack(cp))) === 0) throw new RunStateLost(marker);
  }

  /** Before a batch's jobs go out: `last` (or an empty checkpoint at `from`) with the pending mark. */
  async markPending(nodeId: string, last: SourceCheckpoint | undefined, from: unknown, records: number): Promise<void> {
    const base: SourceCheckpoint = last ?? {
      position: from,
      exchange: { seq: {}, sentWm: {} },
      watermark: Number.NEGATIVE_INFINITY,
      done: false,
      counters: {},
    };
    await this.write(nodeId, { ...base, pending: { from, records } });
  }

  async remove(nodeId: string): Promise<void> {
    await this.redis.del(this.keys.sourceCheckpoint(this.pid, nodeId));
  }
}
