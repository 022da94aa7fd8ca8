/**
 * Every Redis key and queue name the BullMQ runner uses, in one place, under one prefix (so
 * tests and several installations share a Redis without touching each other's keys).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    // The first {...} of a key is its Redis Cluster hash tag: a brace in the prefix would take its place.
    if (/[{}]/.test(prefix)) throw new Error(`the key prefix "${prefix}" may not contain { or } (they are Redis Cluster hash tags)`);
  }

  /** Hash of worker id -> last heartbeat (epoch ms): who is serving queues. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  /** Hash of worker id -> JSON {host, pid, labels, startedAt}, written at start (worker-list.ts). */
  get workerInfo(): string {
    return `${this.prefix}:worker-info`;
  }
  /**
   * The coordinator lease of a run nobody resumes (`sluice run`'s prefix): a key with a TTL its
   * coordinator refreshes (run-lease.ts). Gone for good: the prefix is swept (prefix-janitor.ts).
   */
  get lease(): string {
    return `${this.prefix}:lease`;
  }
  /** Set of deployed pipeline ids, watched by workers. */
  get pipelines(): string {
    return `${this.prefix}:pipelines`;
  }
  /** Pub/sub channel: a pipeline was deployed, redeployed or undeployed (workers sync at once). */
  get deploys(): string {
    return `${this.prefix}:deploys`;
  }
  /**
   * Written at deploy, deleted at undeploy: while a run is live its absence means Redis lost the
   * run's data (run-marker.ts). Commits, checkpoints and enqueues check it.
   */
  runMarker(pid: string): string {
    return `${this.prefix}:marker:${tag(pid)}`;
  }
  /** The deployed pipeline: document, options, generation. */
  pipeline(pid: string): string {
    return `${this.prefix}:pipeline:${tag(pid)}`;
  }
  /** A task's committed state (operator state, applied batch ids, counters). */
  taskState(pid: string, stage: number, partition: number): string {
    return `${this.prefix}:state:${tag(pid)}:${stage}:${partition}`;
  }
  /** The task's keyed operator state, one hash field per (node, store, key): written incrementally. */
  taskKeyed(pid: string, stage: number, partition: number): string {
    return `${this.prefix}:kstate:${tag(pid)}:${stage}:${partition}`;
  }
  /** The version of that state: read before each job to know whether the cached task is current. */
  taskVersion(pid: string, stage: number, partition: number): string {
    return `${this.prefix}:statever:${tag(pid)}:${stage}:${partition}`;
  }
  /** Counters committed with the state (exactly once), read by the coordinator for metrics. */
  taskCounters(pid: string, stage: number, partition: number): string {
    return `${this.prefix}:counters:${tag(pid)}:${stage}:${partition}`;
  }
  /** A source partition's checkpoint: position, watermark and output sequence numbers (partition 0 keeps the unsplit name). */
  sourceCheckpoint(pid: string, nodeId: string, partition = 0): string {
    return `${this.prefix}:source:${tag(pid)}:${nodeId}${partition === 0 ? '' : `#${partition}`}`;
  }
  /** A source partition's counters, written with its checkpoint (small: the coordinator reads them for metrics). */
  sourceCounters(pid: string, nodeId: string, partition: number): string {
    return `${this.prefix}:scount:${tag(pid)}:${nodeId}#${partition}`;
  }
  /**
   * The lease of a source partition (source-lease.ts): `<worker>:<generation>:<token>` with a TTL
   * its holder refreshes, or `done:<generation>` (no TTL) once the partition has ended.
   */
  sourceLease(pid: string, nodeId: string, partition: number): string {
    return `${this.prefix}:slease:${tag(pid)}:${nodeId}#${partition}`;
  }
  /** The fencing-token counter of a pipeline's source leases (INCR on every acquire). */
  sourceToken(pid: string): string {
    return `${this.prefix}:stoken:${tag(pid)}`;
  }
  /** Whether workers may run the pipeline's sources: `run:<generation>`, `pause:<generation>` (hot redeploy) or `stop:<generation>`. */
  sourceGate(pid: string): string {
    return `${this.prefix}:sgate:${tag(pid)}`;
  }
  /**
   * The highest leader token that coordinated the pipeline (coordinator-fence.ts): a coordinator
   * write with a lower one is refused.
   */
  coordinatorFence(pid: string): string {
    return `${this.prefix}:cfence:${tag(pid)}`;
  }

  /** The pipeline's alert rules' states (alert-state-store.ts), written by the leader's evaluator. */
  alertStates(pid: string): string {
    return `${this.prefix}:alerts:${tag(pid)}`;
  }
  /**
   * The data rules workers count (docs/alerts.md, "Data rules on BullMQ"): JSON written by the
   * leader's evaluator with a TTL it refreshes (edge-rule-counts.ts).
   */
  alertRules(pid: string): string {
    return `${this.prefix}:arules:${tag(pid)}`;
  }
  /** Hash `<bucket start>:m|t|f` -> count: one data rule's counts per time bucket, summed over workers. */
  alertCounts(pid: string, ruleKey: string): string {
    return `${this.prefix}:acount:${tag(pid)}:${ruleKey}`;
  }
  /** Hash `<generation>|<stage>|<partition>|<edge>` -> the edge's committed count last counted: a retried batch adds nothing. */
  alertCounted(pid: string): string {
    return `${this.prefix}:acounted:${tag(pid)}`;
  }
  /** Hash `<node>#<partition>` -> generation: the partitions whose source opened on a worker (source-start.ts). */
  sourceStarted(pid: string): string {
    return `${this.prefix}:sstarted:${tag(pid)}`;
  }
  /** A source.http node's durable inbox: a stream of posted records (redis-ingest-hub.ts). */
  ingest(pid: string, nodeId: string): string {
    return `${this.prefix}:ingest:${tag(pid)}:${nodeId}`;
  }
  /**
   * Hash node id -> capacity of a pipeline's open source.http inboxes: any server of a cluster
   * takes posted records for them, not only the one whose run opened them (docs/multi-server.md).
   */
  ingestCapacity(pid: string): string {
    return `${this.prefix}:ingest-cap:${tag(pid)}`;
  }
  /** A worker's report that it could not build a task of this run (start-failure-report.ts). */
  startFailure(pid: string): string {
    return `${this.prefix}:start-failure:${tag(pid)}`;
  }
  /** Edges with an active tap (workers publish samples of them). */
  taps(pid: string): string {
    return `${this.prefix}:taps:${tag(pid)}`;
  }
  tapChannel(pid: string, edgeId: string): string {
    return `${this.prefix}:tap:${tag(pid)}:${edgeId}`;
  }
  /** Every key of a pipeline, for cleanup. */
  pipelinePattern(pid: string): string[] {
    return [
      // Not the ingest streams: they outlive a redeploy by stop and start (the ingest hub deletes them).
      ...['state', 'kstate', 'statever', 'counters', 'source', 'scount', 'slease'].map((k) => `${this.prefix}:${k}:${tag(pid)}:*`),
      this.alertCounts(pid, '*'),
      this.sourceToken(pid),
      this.sourceGate(pid),
      this.coordinatorFence(pid),
      this.sourceStarted(pid),
      this.taps(pid),
      this.startFailure(pid),
      this.alertStates(pid),
      this.alertRules(pid),
      this.alertCounted(pid),
      this.runMarker(pid),
    ];
  }
  /** BullMQ queue name (BullMQ adds its own prefix, which we set to ours), hash-tagged: each queue's keys in one slot. */
  queue(pid: string, stage: number, partition: number): string {
    return `{${pid}.s${stage}.p${partition}}`;
  }
}

/**
 * A pipeline's hash tag. On a Redis Cluster every key of one pipeline (its run marker, task
 * states, checkpoints, ingest streams) hashes to one slot, so each script or MULTI that checks
 * the marker while it writes stays in one slot; its queues carry tags of their own (`queue()`),
 * so a pipeline's queues spread over the shards. On a single Redis the braces are just characters.
 */
function tag(pid: string): string {
  return `{${pid}}`;
}

/** BullMQ job ids may not contain ':'; edge ids are user text, so encode them. */
export function jobId(edgeId: string, from: number, to: number, seq: number): string {
  return `${encodeURIComponent(edgeId).replace(/[:%]/g, '_')}.${from}.${to}.${seq}`;
}
