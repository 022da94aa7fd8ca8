/**
 * The run marker: one key per deployed pipeline (`<prefix>:marker:{<pipeline>}`), written at
 * deploy and deleted at undeploy. Redis that restarted without persistence, was flushed or
 * evicted keys comes back without it, and every write that carries the run on (a task commit,
 * a source checkpoint, an enqueue, an ingest offer) checks it first: a run whose state is gone
 * fails loudly with RunStateLost instead of starting again from nothing (which would truncate
 * a file sink to 0 and hang waiting for batches that no longer exist). A process that wakes
 * after an undeploy finds it gone too, and writes nothing.
 */
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './keys.js';

/** The start of every lost-state message: callers that only see the text recognise it by this. */
export const RUN_STATE_LOST = "Redis lost this run's state";

/** Fail, do not retry: the run's data in Redis is gone. */
export class RunStateLost extends Error {
  readonly code = 'run-state-lost';
  constructor(readonly markerKey: string) {
    super(
      `${RUN_STATE_LOST} (marker ${markerKey} missing): RedisClient restarted without persistence, was flushed or evicted keys, ` +
        'or the pipeline was undeployed meanwhile. The run cannot go on without losing or repeating output; ' +
        'deploy it again. Redis must run with appendonly yes and maxmemory-policy noeviction (docs/operations.md).',
    );
    this.name = 'RunStateLost';
  }
}

export function isRunStateLost(message: string | undefined): boolean {
  return message?.startsWith(RUN_STATE_LOST) ?? false;
}

/** How often an idle loop re-checks the marker (busy loops check it with every write). */
const CHECK_EVERY_MS = 250;

export class RunMarker {
  readonly key: string;
  private lastCheck = 0;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    pid: string,
  ) {
    this.key = keys.runMarker(pid);
  }

  /** At deploy (the value says which deploy wrote it, for people reading Redis). */
  async write(generation: string): Promise<void> {
    await this.redis.set(this.key, generation);
  }

  /** Throws RunStateLost when the marker is gone. */
  async check(): Promise<void> {
    this.lastCheck = performance.now();
    if ((await this.redis.exists(this.key)) === 0) throw new RunStateLost(this.key);
  }

  /** check(), at most every 250 ms: for loops that otherwise would not touch Redis for a while. */
  async checkNowAndThen(): Promise<void> {
    if (performance.now() - this.lastCheck >= CHECK_EVERY_MS) await this.check();
  }
}
