/**
 * One `sluice serve` among several on one Redis prefix and one store (docs/multi-server.md):
 * - the leader lease (leader-lease.ts) decides which server runs the coordinators: on taking it
 *   the server resumes every deployed pipeline, on losing it it detaches them at once;
 * - the leader answers deploys and stops that followers forward over Redis (leader-requests.ts)
 *   and publishes its runs' status and metrics (run-board.ts);
 * - every server beats in `<prefix>:cluster:servers`, for GET /api/cluster.
 */
import { type RedisClient, createRedis } from '../runners/bullmq/redis-client.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DeploymentManager, ForwardedDeploy } from '../deployments/deployment-manager.js';
import type { RunHandle } from '../runners/runner.js';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';
import { FollowerTaps } from './follower-taps.js';
import { LeaderLease, type LeaderInfo, leaderLeaseTtlMs } from './leader-lease.js';
import { askLeader, LeaderInbox, NoLeaderAnswer } from './leader-requests.js';
import { type BoardEntry, publishBoard, RunBoardView } from './run-board.js';
import type { CoordinatorFencing } from '../runners/bullmq/bullmq-runner.js';

/** How often the leader publishes its runs and followers read them. */
const BOARD_MS = 500;
/** A server whose beat is older than this is not listed (it died; its entry is removed). */
const SERVER_GONE_MS = 60_000;
/** Longest wait for one command on the cluster's connection. */
const COMMAND_TIMEOUT_MS = 3000;
/**
 * How long a follower waits for the leader to answer a forwarded deploy or stop: 30 s (a stop
 * drains for up to 10 s), or `SLUICE_LEADER_FORWARD_MS` (tests).
 */
export function forwardTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.SLUICE_LEADER_FORWARD_MS);
  return Number.isInteger(ms) && ms >= 500 ? ms : 30_000;
}

export interface ClusterServerView {
  id: string;
  host: string;
  pid: number;
  url?: string;
  startedAt: string;
  /** Milliseconds since its last beat. */
  lastBeatMs: number;
  leader: boolean;
}

export interface ClusterView {
  /** This server. */
  self: string;
  leader?: { id: string; since: string; token: string };
  leaseTtlMs: number;
  servers: ClusterServerView[];
}

export interface ServerClusterOptions {
  redisUrl: string;
  prefix: string;
  deployments: DeploymentManager;
  log: (line: string) => void;
  ttlMs?: number;
  forwardTimeoutMs?: number;
}

export class ServerCluster {
  readonly serverId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly redis: RedisClient;
  private readonly lease: LeaderLease;
  private readonly taps: FollowerTaps;
  private readonly board: RunBoardView;
  private inbox: LeaderInbox | undefined;
  private boardTimer: NodeJS.Timeout | undefined;
  /** Run identities for the board: one per handle the leader holds. */
  private readonly runIds = new WeakMap<object, string>();
  private readonly startedAt = new Date().toISOString();
  private url: string | undefined;
  private closed = false;
  /**
   * Between taking the lease and the end of the resume: the board is neither published (it would
   * list only the runs resumed so far, and every follower would read the others as gone) nor
   * cleared (this server answers for those runs from it meanwhile).
   */
  private resuming = false;
  /** Writes of this server's coordinators (and board) that Redis refused: a newer leader had taken over. */
  private refused = 0;

  constructor(private readonly o: ServerClusterOptions) {
    // Bounded commands: with Redis away the server still starts and answers (/readyz says 503).
    this.redis = createRedis(o.redisUrl, { commandTimeout: COMMAND_TIMEOUT_MS });
    this.redis.on('error', () => undefined); // retried by ioredis
    this.taps = new FollowerTaps(this.redis, new RedisKeys(o.prefix));
    this.board = new RunBoardView(this.taps);
    this.lease = new LeaderLease({
      redisUrl: o.redisUrl,
      key: `${o.prefix}:leader`,
      serverId: this.serverId,
      ttlMs: o.ttlMs ?? leaderLeaseTtlMs(),
      onLead: (info) => this.lead(info),
      onFollow: (why) => this.follow(why),
      onTick: () => this.beat(),
    });
    o.deployments.joinCluster({
      leading: () => this.lease.leading !== undefined,
      forward: (op, args) => this.forward(op, args),
      remote: () => this.board.all,
      resuming: () => this.resuming,
    });
  }

  private get serversKey(): string {
    return `${this.o.prefix}:cluster:servers`;
  }

  private get boardKey(): string {
    return `${this.o.prefix}:cluster:runs`;
  }

  /** Take the lease if free (resuming the pipelines before this resolves), then keep at it. */
  async start(): Promise<void> {
    this.inbox = new LeaderInbox(
      createRedis(this.o.redisUrl).on('error', () => undefined),
      this.redis,
      this.o.prefix,
      this.serverId,
      (op, args) => this.answer(op, args),
    );
    await this.lease.start();
    if (!this.lease.leading) {
      const leader = await this.lease.leader().catch(() => undefined);
      this.o.log(
        `server ${this.serverId} follows${leader ? ` server ${leader.id} (leader since ${new Date(leader.since).toISOString()})` : ''}: it serves the API and forwards deploys and stops to the leader`,
      );
    }
    this.boardTimer = setInterval(() => void this.syncBoard(), BOARD_MS);
    this.boardTimer.unref();
    void this.syncBoard();
  }

  /** The URL this server answers on, for GET /api/cluster (known once it listens). */
  setUrl(url: string): void {
    this.url = url;
    this.beat().catch(() => undefined); // Redis away: the next tick beats
  }

  get leading(): boolean {
    return this.lease.leading !== undefined;
  }

  /** For the runner (bullmq-runner.ts): each run's token, and the refused writes, counted and logged. */
  get fencing(): CoordinatorFencing {
    return {
      token: () => this.lease.leading?.token,
      onRefused: (pid, err) => this.refusedWrite(`pipeline ${pid}: ${err.message}`),
    };
  }

  /** How many writes Redis refused this server since it started (GET /api/cluster). */
  get refusedWrites(): number {
    return this.refused;
  }

  private refusedWrite(what: string): void {
    this.refused++;
    this.o.log(`server ${this.serverId}: fenced, ${what}`);
  }

  private async lead(info: LeaderInfo): Promise<void> {
    this.o.log(
      `server ${this.serverId} is now the leader (lease ${this.o.prefix}:leader, token ${info.token}): resuming deployed pipelines`,
    );
    this.resuming = true;
    try {
      const resumed = await this.o.deployments.restore(() => this.leading);
      this.o.log(resumed.length > 0 ? `resumed as leader: ${resumed.join(', ')}` : 'resumed as leader: no deployed pipelines');
    } finally {
      this.resuming = false;
      this.board.clear();
    }
    await this.syncBoard();
  }

  private async follow(why: string): Promise<void> {
    this.o.log(`server ${this.serverId} is no longer the leader (${why}): detaching its coordinators`);
    await this.o.deployments.detachAll();
  }

  /** A request forwarded by a follower; only a leader runs it. */
  private async answer(op: string, args: unknown): Promise<unknown> {
    if (!this.leading) throw new NoLeaderAnswer(`server ${this.serverId} no longer leads; try again`);
    const a = args as { id: string; params?: Record<string, unknown>; author?: string };
    if (op === 'deploy') {
      const { handle, redeploy } = await this.o.deployments.deployReporting(a.id, a.params ?? {}, a.author ?? 'anonymous');
      const reply: ForwardedDeploy = { status: handle.status(), metrics: handle.metrics(), ...(redeploy ? { redeploy } : {}) };
      return reply;
    }
    if (op === 'stop') return (await this.o.deployments.stop(a.id)) ?? null;
    throw new Error(`unknown cluster request "${op}"`);
  }

  private async forward(op: 'deploy' | 'stop', args: unknown): Promise<unknown> {
    const leader = await this.lease.leader().catch(() => undefined);
    if (!leader)
      throw new NoLeaderAnswer(
        `no server holds the coordinator lease (${this.o.prefix}:leader): one takes it within ${Math.ceil(this.lease.ttlMs / 1000)} s of the last leader's failure; try again`,
      );
    const blocking = createRedis(this.o.redisUrl);
    blocking.on('error', () => undefined);
    try {
      const value = await askLeader(
        this.redis,
        blocking,
        this.o.prefix,
        leader.id,
        op,
        args,
        this.o.forwardTimeoutMs ?? forwardTimeoutMs(),
        async () => (await this.lease.leader())?.token === leader.token,
      );
      // `stop` of a pipeline that was not deployed answers null.
      return value === null ? undefined : value;
    } finally {
      blocking.disconnect();
    }
  }

  /** Leader: publish the runs. Follower: read them. */
  private async syncBoard(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.resuming) return;
      if (this.leading) await this.publish();
      else this.board.apply(await this.redis.hgetall(this.boardKey));
    } catch {
      // Redis away: the view stays as it was; /readyz says so
    }
  }

  private async publish(): Promise<void> {
    const token = this.lease.leading?.token;
    if (token === undefined) return;
    const own = this.o.deployments.own();
    const now = Date.now();
    const fields: string[] = [];
    for (const [id, h] of own) {
      let run = this.runIds.get(h);
      if (!run) this.runIds.set(h, (run = randomBytes(6).toString('hex')));
      const entry: BoardEntry = { run, status: h.status(), metrics: h.metrics(), at: now, workerEdges: workerEdges(h) };
      fields.push(id, JSON.stringify(entry));
    }
    const held = await publishBoard(this.redis, this.boardKey, token, fields);
    if (held !== undefined)
      this.refusedWrite(`run board not written: a newer leader (token ${held}) publishes it; this server holds token ${token}`);
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const me = {
      id: this.serverId,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      beat: Date.now(),
      ...(this.url ? { url: this.url } : {}),
    };
    await this.redis.hset(this.serversKey, this.serverId, JSON.stringify(me));
    await this.redis.pexpire(this.serversKey, SERVER_GONE_MS);
  }

  /** GET /api/cluster: the servers that beat in the last minute, and which one leads since when. */
  async view(): Promise<ClusterView> {
    const [raw, leader] = await Promise.all([this.redis.hgetall(this.serversKey), this.lease.leader()]);
    const now = Date.now();
    const servers: ClusterServerView[] = [];
    const dead: string[] = [];
    for (const [id, json] of Object.entries(raw)) {
      const s = JSON.parse(json) as { host: string; pid: number; url?: string; startedAt: string; beat: number };
      if (now - s.beat > SERVER_GONE_MS) {
        dead.push(id);
        continue;
      }
      servers.push({
        id,
        host: s.host,
        pid: s.pid,
        ...(s.url ? { url: s.url } : {}),
        startedAt: s.startedAt,
        lastBeatMs: Math.max(0, now - s.beat),
        leader: leader?.id === id,
      });
    }
    if (dead.length > 0) await this.redis.hdel(this.serversKey, ...dead);
    servers.sort((a, b) => a.id.localeCompare(b.id));
    return {
      self: this.serverId,
      ...(leader ? { leader: { id: leader.id, since: new Date(leader.since).toISOString(), token: leader.token } } : {}),
      leaseTtlMs: this.lease.ttlMs,
      servers,
    };
  }

  /**
   * Server shutdown: stop answering, detach the coordinators (`detach`), then give the lease up,
   * so another server takes over at its next try instead of after the TTL.
   */
  async close(detach: () => Promise<void>): Promise<void> {
    this.closed = true;
    clearInterval(this.boardTimer);
    this.taps.close();
    await this.inbox?.stop();
    const wasLeader = this.leading;
    await this.lease.stop(detach);
    if (wasLeader) this.o.log(`server ${this.serverId} left the leadership (shutdown): another server takes it over`);
    // Redis away: nothing to tidy (the entry ages out of GET /api/cluster).
    if (this.redis.status === 'ready') {
      await this.redis.hdel(this.serversKey, this.serverId).catch(() => undefined);
      // The board stays for the followers (their runs go on) until the next leader rewrites it;
      // the last server of the cluster removes it.
      if ((await this.redis.exists(this.serversKey).catch(() => 1)) === 0) await this.redis.del(this.boardKey).catch(() => undefined);
    }
    await closeRedis(this.redis);
  }
}

/**
 * The edges of a run whose events cross workers, not this process: those whose source node is
 * in a stage without a source (bullmq-run.ts taps the others locally).
 */
function workerEdges(h: RunHandle): string[] | undefined {
  const plan = h.detail?.().plan;
  if (!plan) return undefined;
  return plan.edges.filter((e) => plan.stages[plan.nodes.get(e.source)!.stage]!.source === undefined).map((e) => e.id);
}
