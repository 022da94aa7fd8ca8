/**
 * Requests a follower forwards to the leader over Redis, never server to server over HTTP (only
 * Redis and the store are shared; docs/multi-server.md). The follower pushes a request onto the
 * leader's inbox list `<prefix>:cluster:inbox:<server id>` and waits on its own reply list
 * `<prefix>:cluster:reply:<request id>`; the leader pops, runs it and pushes the answer. Both
 * lists expire: a request nobody popped (the leader died) disappears with its inbox, and one
 * popped after its deadline is dropped unanswered, since the follower has answered 503 already.
 */
import type { RedisClient } from '../runners/bullmq/redis-client.js';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors.js';

export interface LeaderRequest {
  id: string;
  op: string;
  args: unknown;
  /** Epoch ms after which the follower no longer waits: not run then. */
  deadline: number;
}

/** What went wrong on the leader, carried back whole (a DeployError's code and diagnostics). */
export interface RemoteError {
  name: string;
  message: string;
  code?: string;
  diagnostics?: unknown[];
}

type Reply = { ok: true; value: unknown } | { ok: false; error: RemoteError };

/** No leader answered: a 503 whose message says why (none holds the lease, or it did not answer in time). */
export class NoLeaderAnswer extends ApiError {
  constructor(message: string) {
    super(503, 'no-leader', message);
    this.name = 'NoLeaderAnswer';
  }
}

/** The leader answered with an error: `remote` holds it as thrown there. */
export class LeaderRefused extends Error {
  constructor(readonly remote: RemoteError) {
    super(remote.message);
  }
}

export function inboxKey(prefix: string, serverId: string): string {
  return `${prefix}:cluster:inbox:${serverId}`;
}

function replyKey(prefix: string, requestId: string): string {
  return `${prefix}:cluster:reply:${requestId}`;
}

/**
 * Send one request to the server `leaderId` and wait for its answer. `blocking` is a connection
 * of the caller's own (BLPOP holds it for the wait); `timeoutMs` bounds the whole wait. Every
 * second without an answer `stillLeader` is asked: a leader that lost its lease meanwhile (it
 * died, its key expired) will not answer, so the wait ends there rather than at the timeout.
 */
export async function askLeader(
  redis: RedisClient,
  blocking: RedisClient,
  prefix: string,
  leaderId: string,
  op: string,
  args: unknown,
  timeoutMs: number,
  stillLeader: () => Promise<boolean> = async () => true,
): Promise<unknown> {
  const request: LeaderRequest = { id: randomUUID(), op, args, deadline: Date.now() + timeoutMs };
  const inbox = inboxKey(prefix, leaderId);
  await redis.rpush(inbox, JSON.stringify(request));
  await redis.pexpire(inbox, timeoutMs);
  for (;;) {
    const left = request.deadline - Date.now();
    if (left <= 0)
      throw new NoLeaderAnswer(
        `the leading server (${leaderId}) did not answer within ${Math.round(timeoutMs / 1000)} s; it may have just failed: another server takes the lease within seconds, try again`,
      );
    const popped = await blocking.blpop(replyKey(prefix, request.id), Math.max(0.1, Math.min(1, left / 1000)));
    if (popped) {
      const reply = JSON.parse(popped[1]) as Reply;
      if (!reply.ok) throw new LeaderRefused(reply.error);
      return reply.value;
    }
    if (!(await stillLeader().catch(() => true)))
      throw new NoLeaderAnswer(
        `the leading server (${leaderId}) lost its lease before answering (it stopped or failed; another server takes over within seconds); try again`,
      );
  }
}

/**
 * The leader side: pop this server's inbox and answer each request with `handle`. Runs until
 * `stop()`; uses its own blocking connection.
 */
export class LeaderInbox {
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly blocking: RedisClient,
    private readonly replies: RedisClient,
    private readonly prefix: string,
    serverId: string,
    handle: (op: string, args: unknown) => Promise<unknown>,
  ) {
    this.loop = this.serve(inboxKey(prefix, serverId), handle);
  }

  private async serve(inbox: string, handle: (op: string, args: unknown) => Promise<unknown>): Promise<void> {
    while (this.running) {
      let popped: [string, string] | null;
      try {
        popped = await this.blocking.blpop(inbox, 1);
      } catch {
        if (!this.running) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (!popped) continue;
      const request = JSON.parse(popped[1]) as LeaderRequest;
      if (Date.now() > request.deadline) continue;
      // Not awaited: a long deploy or a drained stop does not hold up the next request.
      void this.answer(request, handle);
    }
  }

  private async answer(request: LeaderRequest, handle: (op: string, args: unknown) => Promise<unknown>): Promise<void> {
    let reply: Reply;
    try {
      reply = { ok: true, value: await handle(request.op, request.args) };
    } catch (err) {
      const e = err as Error & { code?: unknown; diagnostics?: unknown };
      reply = {
        ok: false,
        error: {
          name: e.name,
          message: e.message,
          ...(typeof e.code === 'string' ? { code: e.code } : {}),
          ...(Array.isArray(e.diagnostics) ? { diagnostics: e.diagnostics } : {}),
        },
      };
    }
    const key = replyKey(this.prefix, request.id);
    // Kept a little past the deadline: nobody reads it after that.
    const keep = Math.max(1000, request.deadline - Date.now() + 5000);
    try {
      await this.replies.rpush(key, JSON.stringify(reply));
      await this.replies.pexpire(key, keep);
    } catch {
      // Redis away: the follower answers 503 when its wait ends
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    // BLPOP holds the connection up to a second: cut it. A connection that never came up keeps
    // its queued BLPOP unanswered after disconnect(), so the loop is not waited for long.
    this.blocking.disconnect();
    await Promise.race([this.loop.catch(() => undefined), new Promise((r) => setTimeout(r, 1500).unref())]);
  }
}
