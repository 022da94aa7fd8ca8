/**
 * The durable ingest hub (BullMQ mode): one Redis stream per source.http node,
 * `<prefix>:ingest:{<pipeline>}:<node>`, one entry per record (field `r`, JSON text); a split
 * node (`parallelism` N) has one per partition, `<node>#<p>`, records placed by key. The ingest
 * route answers 202 only once Redis holds the records, so a server crash loses none of them.
 * The source reads the stream from a position (the last entry id it read) that the coordinator
 * checkpoints with the rest of the source; a restarted coordinator seeks back to it. Once a
 * checkpoint is durable, what it covers is trimmed. The stream goes when the pipeline is
 * stopped or ends (close), not when a redeploy stops and starts it. docs/durable-ingest.md.
 */
import { MAX_SOURCE_PARALLELISM } from '@sluice/shared';
import type { Inbox, InboxSplit } from '@sluice/nodes/sdk';
import { type RedisClient, createRedis } from '../runners/bullmq/redis-client.js';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';
import type { IngestHub, OfferResult } from './ingest-hub.js';
import { type NodeSplit, placeRecords, type Unplaced } from './ingest-placement.js';

/**
 * All or nothing, in one step: the records go in only if the stream (what is waiting plus what
 * was read since the last checkpoint) stays within the capacity, and only while the run's
 * marker exists (a Redis that lost the run must not take events nobody will read; run-marker.ts).
 * Records are arguments, never script text. KEYS[1] stream, KEYS[2] run marker; ARGV[1]
 * capacity; ARGV[2..] records. 1 accepted, 0 full, -1 marker missing.
 */
const OFFER_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = #ARGV - 1
if redis.call('XLEN', KEYS[1]) + n > tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV do redis.call('XADD', KEYS[1], '*', 'r', ARGV[i]) end
return 1
`;

/**
 * The same for a split node: each record goes to its partition's stream, all or nothing, the
 * node's capacity over all its streams (every stream has the pipeline's hash tag: one slot).
 * KEYS[1] run marker, KEYS[2..N+1] the partitions' streams; ARGV[1] capacity; then pairs of
 * (partition, record). Same answers.
 */
const OFFER_SPLIT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = (#ARGV - 1) / 2
local held = 0
for i = 2, #KEYS do held = held + redis.call('XLEN', KEYS[i]) end
if held + n > tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('XADD', KEYS[tonumber(ARGV[i]) + 2], '*', 'r', ARGV[i + 1]) end
return 1
`;

/**
 * Close a pipeline's inboxes: delete the capacity hash and the streams of every node it lists
 * or that is given: the node's stream and every partition stream it may have had (`<node>#0` up
 * to the largest parallelism), whatever split it had before a redeploy changed it, so none is
 * left forever. Deleting a key that does not exist costs next to nothing. KEYS[1] capacity hash;
 * ARGV[1] the streams' key without the node id; ARGV[2] the largest parallelism; ARGV[3..] nodes.
 */
const CLOSE_SCRIPT = `
local nodes = redis.call('HKEYS', KEYS[1])
for i = 3, #ARGV do nodes[#nodes + 1] = ARGV[i] end
local most = tonumber(ARGV[2])
for _, n in ipairs(nodes) do
  redis.call('DEL', ARGV[1] .. n)
  for p = 0, most - 1 do redis.call('DEL', ARGV[1] .. n .. '#' .. p) end
end
redis.call('DEL', KEYS[1])
return #nodes
`;
interface WithOffer {
  sluiceIngestOffer(key: string, marker: string, capacity: number, ...records: string[]): Promise<number>;
  sluiceIngestOfferSplit(n: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  sluiceIngestClose(capacities: string, streamPrefix: string, most: number, ...nodes: string[]): Promise<number>;
}

export interface RedisIngestHubOptions {
  /** A connection to use (not closed by `quit`)... */
  redis?: RedisClient;
  /** ...or a URL to open one (closed by `quit`). */
  redisUrl?: string;
  /** Key prefix, the runner's (default `sluice`). */
  prefix?: string;
}

/** The first stream id: a fresh source reads everything the stream still holds. */
export const START = '0-0';
const STREAM_ID = /^(\d+)-(\d+)$/;
const MAX_SEQ = 2n ** 64n - 1n;

/** The smallest id after `id` (same millisecond, next sequence): ranges and trims exclusive of `id`. */
export function nextId(id: string): string {
  const m = STREAM_ID.exec(id);
  if (!m) throw new Error(`not a stream id: ${JSON.stringify(id)}`);
  const seq = BigInt(m[2]!);
  return seq === MAX_SEQ ? `${BigInt(m[1]!) + 1n}-0` : `${m[1]}-${seq + 1n}`;
}

export class RedisIngestHub implements IngestHub {
  private readonly redis: RedisClient & WithOffer;
  private readonly owned: boolean;
  private readonly keys: RedisKeys;
  /** Nodes whose inbox is open in this process: pipeline -> node -> capacity (and split). */
  private readonly capacities = new Map<string, Map<string, NodeInbox>>();

  constructor(o: RedisIngestHubOptions) {
    if (!o.redis && !o.redisUrl) throw new Error('RedisIngestHub needs a Redis connection or URL');
    this.owned = !o.redis;
    const redis = o.redis ?? createRedis(o.redisUrl!);
    // Retried by ioredis; /readyz reports an unreachable Redis.
    if (this.owned) redis.on('error', () => undefined);
    redis.defineCommand('sluiceIngestOffer', { numberOfKeys: 2, lua: OFFER_SCRIPT });
    redis.defineCommand('sluiceIngestOfferSplit', { lua: OFFER_SPLIT_SCRIPT });
    redis.defineCommand('sluiceIngestClose', { numberOfKeys: 1, lua: CLOSE_SCRIPT });
    this.redis = redis as RedisClient & WithOffer;
    this.keys = new RedisKeys(o.prefix ?? 'sluice');
  }

  /**
   * The node's inbox, on its stream. Opening again (a redeploy, a restarted server) keeps the
   * stream: records accepted before are still there for the new source to read.
   */
  open(pipelineId: string, nodeId: string, capacity: number, split?: InboxSplit): Inbox {
    let nodes = this.capacities.get(pipelineId);
    if (!nodes) this.capacities.set(pipelineId, (nodes = new Map()));
    const entry: NodeInbox = split ? { capacity, split: { of: split.of, partitionBy: split.partitionBy } } : { capacity };
    nodes.set(nodeId, entry);
    // For the other servers of a cluster (and the server, when a worker opens it): they take
    // records for this inbox too. A plain number for an unsplit node, as before splits.
    this.redis.hset(this.keys.ingestCapacity(pipelineId), nodeId, listing(entry)).catch(() => undefined);
    return new StreamInbox(this.redis, this.stream(pipelineId, nodeId, split?.index));
  }

  /** A node's stream; a split node's partition p has its own, `<node>#<p>`. */
  private stream(pipelineId: string, nodeId: string, partition?: number): string {
    return this.keys.ingest(pipelineId, partition === undefined ? nodeId : `${nodeId}#${partition}`);
  }

  /** The node's capacity and split: opened here, or listed in Redis by whoever opened it. */
  private async inboxOf(pipelineId: string, nodeId: string): Promise<NodeInbox | undefined> {
    const local = this.capacities.get(pipelineId)?.get(nodeId);
    if (local) return local;
    const listed = await this.redis.hget(this.keys.ingestCapacity(pipelineId), nodeId);
    return listed === null ? undefined : parseListing(listed);
  }

  /**
   * Stop accepting (409) and delete the pipeline's streams: it was stopped or ended (as the
   * memory hub drops its inboxes). A redeploy by stop and start does not close: the new run
   * reads what the old one had not.
   */
  close(pipelineId: string): void {
    const nodes = this.capacities.get(pipelineId);
    this.capacities.delete(pipelineId);
    // The inboxes another server of the cluster opened are listed in Redis: closed here too, in
    // one script, so an open() sent after this close is not undone by it.
    const streams = new Set(nodes?.keys() ?? []);
    this.redis
      .sluiceIngestClose(this.keys.ingestCapacity(pipelineId), this.keys.ingest(pipelineId, ''), MAX_SOURCE_PARALLELISM, ...streams)
      .catch(() => undefined); // an unreachable Redis leaves them: a later deploy reads them
  }

  async offer(pipelineId: string, nodeId: string, records: readonly unknown[]): Promise<OfferResult> {
    // Opened by the run on another server (the cluster's leader): its capacity is in Redis.
    const inbox = await this.inboxOf(pipelineId, nodeId);
    if (inbox === undefined) return 'unknown';
    if (records.length === 0) return 'accepted';
    const ok = inbox.split
      ? await this.offerSplit(pipelineId, nodeId, inbox.capacity, inbox.split, records)
      : await this.redis.sluiceIngestOffer(
          this.stream(pipelineId, nodeId),
          this.keys.runMarker(pipelineId),
          inbox.capacity,
          ...records.map((r) => JSON.stringify(r)),
        );
    if (typeof ok === 'object') return ok;
    // No marker: Redis lost the run (or it is being redeployed by stop and start right now).
    if (ok === -1) return 'unavailable';
    return ok === 1 ? 'accepted' : 'full';
  }

  /** Placed by key, then appended to the partitions' streams in one script (all or nothing). */
  private async offerSplit(
    pipelineId: string,
    nodeId: string,
    capacity: number,
    split: NodeSplit,
    records: readonly unknown[],
  ): Promise<number | Unplaced> {
    const placed = placeRecords(records, split);
    if (!Array.isArray(placed)) return placed;
    const keys = [this.keys.runMarker(pipelineId), ...Array.from({ length: split.of }, (_, p) => this.stream(pipelineId, nodeId, p))];
    const args: (string | number)[] = [capacity];
    for (let i = 0; i < records.length; i++) args.push(placed[i]!, JSON.stringify(records[i]));
    return this.redis.sluiceIngestOfferSplit(keys.length, ...keys, ...args);
  }

  /** Entries in the node's stream(s): waiting, or read and not yet released by a checkpoint. */
  async waiting(pipelineId: string, nodeId: string): Promise<number> {
    const split = (await this.inboxOf(pipelineId, nodeId))?.split;
    if (!split) return this.redis.xlen(this.stream(pipelineId, nodeId));
    let n = 0;
    for (let p = 0; p < split.of; p++) n += await this.redis.xlen(this.stream(pipelineId, nodeId, p));
    return n;
  }

  /** Close the connection this hub opened (server shutdown). */
  async quit(): Promise<void> {
    this.capacities.clear();
    if (this.owned) await closeRedis(this.redis);
  }
}

/** What the hub knows of an open node: its capacity and, split, how records are placed. */
interface NodeInbox {
  capacity: number;
  split?: NodeSplit;
}

/** The capacity hash's value: the capacity alone (unsplit, as before splits), or JSON. */
function listing(entry: NodeInbox): string {
  return entry.split
    ? JSON.stringify({ capacity: entry.capacity, of: entry.split.of, partitionBy: entry.split.partitionBy })
    : String(entry.capacity);
}

function parseListing(text: string): NodeInbox | undefined {
  if (!text.startsWith('{')) {
    const capacity = Number(text);
    return Number.isFinite(capacity) ? { capacity } : undefined;
  }
  const o = JSON.parse(text) as { capacity: number; of: number; partitionBy: string };
  return { capacity: o.capacity, split: { of: o.of, partitionBy: o.partitionBy } };
}

/** One source's view of its stream: reads after its position, trims what a checkpoint covers. */
class StreamInbox implements Inbox {
  private at = START;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  async take(max: number): Promise<unknown[]> {
    if (max <= 0) return [];
    const entries = await this.redis.xrange(this.key, nextId(this.at), '+', 'COUNT', max);
    if (entries.length === 0) return [];
    const out = new Array<unknown>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const fields = entries[i]![1];
      // One field, `r`; fields come as [name, value, ...].
      out[i] = JSON.parse(fields[fields.indexOf('r') + 1]!);
    }
    this.at = entries[entries.length - 1]![0];
    return out;
  }

  position(): string {
    return this.at;
  }

  seek(position: unknown): void {
    if (typeof position !== 'string' || !STREAM_ID.test(position))
      throw new Error(`source.http: cannot resume from ${JSON.stringify(position)}: not a stream id`);
    this.at = position;
  }

  /**
   * Entries up to and including `position` were read under a durable checkpoint: delete them.
   * MINID keeps ids >= its argument, so trim to the id just after: nothing unread goes.
   */
  async release(position: unknown): Promise<void> {
    if (typeof position !== 'string' || !STREAM_ID.test(position) || position === START) return;
    await this.redis.xtrim(this.key, 'MINID', nextId(position));
  }
}
