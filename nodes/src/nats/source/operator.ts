/**
 * source.nats: connects (a missing secret, an unreachable server or a missing stream fails the
 * start, naming it), then reads in one of two modes: jetstream-source.ts (a stream by sequence,
 * replayable) or core-source.ts (a plain subscription, at most once).
 */
import type { NatsConnection, StreamInfo } from 'nats';
import type { SourceFactory } from '../../sdk/operator.js';
import { connectNats, describeJetStreamError, natsSecrets } from '../connect.js';
import { mappedPartitionCounts, PARTITION_TOKEN, partitionSubject } from '../partitions.js';
import { CoreSource } from './core-source.js';
import type { SourceNatsConfig } from './definition.js';
import { JetStreamSource } from './jetstream-source.js';
import { MessageBuffer } from './message-buffer.js';
import { BatchMaker } from './to-batch.js';

export const sourceNatsOperator: SourceFactory<SourceNatsConfig> = async (ctx) => {
  // Split (`parallelism`): each partition reads its own subjects, `{partition}` in the filter.
  const split = ctx.config.subject?.includes(PARTITION_TOKEN) ? (ctx.partition ?? { index: 0, of: 1 }) : undefined;
  const c = split ? { ...ctx.config, subject: partitionSubject(ctx.config.subject!, split.index) } : ctx.config;
  // Before connecting: a missing secret fails the start naming the secret.
  const secrets = natsSecrets(c, (name) => ctx.secret(name));
  const nc = await connectNats({ url: c.url, username: c.username, ...secrets, name: `sluice ${ctx.nodeId}` });
  const batches = new BatchMaker(c, ctx.now);
  if (c.mode === 'core') {
    try {
      const source = new CoreSource({
        nc,
        subjects: c.subjects,
        buffer: new MessageBuffer(c.maxBuffered),
        batches,
        target: `NATS server ${c.url}`,
        nodeId: ctx.nodeId,
      });
      // The server has the subscriptions once it answered the PING: messages published after
      // the start are seen.
      await nc.flush();
      return source;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }
  if (c.stream === undefined) {
    await nc.close();
    throw new Error('mode jetstream needs a stream');
  }
  const target = `stream "${c.stream}" at ${c.url}`;
  let at: number;
  try {
    const info = await streamInfo(nc, c.stream, target);
    if (split) checkPartitionCount(info, split.of, target);
    // latest: pinned to the stream's last sequence now, so messages added before the first read
    // are not skipped and the first checkpoint already holds a real position.
    at = c.start === 'earliest' ? 0 : info.state.last_seq;
  } catch (err) {
    await nc.close();
    throw err;
  }
  return new JetStreamSource({ nc, config: { ...c, stream: c.stream }, at, batches, target, nodeId: ctx.nodeId });
};

/**
 * A stream whose own subject transform partitions into another count than the node's
 * `parallelism` would leave partitions unread (or read nothing): refused at the start. (A
 * mapping made in the account, outside the stream, cannot be seen here: the docs say so.)
 */
function checkPartitionCount(info: StreamInfo, of: number, target: string): void {
  const dest = (info.config as { subject_transform?: { dest?: string } }).subject_transform?.dest;
  const counts = dest === undefined ? [] : mappedPartitionCounts(dest);
  const other = counts.find((n) => n !== of);
  if (other !== undefined)
    throw new Error(`${target} maps its subjects into ${other} partitions (${dest}) but the node has parallelism ${of}: make them equal`);
}

/** The stream's info, or an error naming the target: no such stream, no JetStream. */
export async function streamInfo(nc: NatsConnection, stream: string, target: string): Promise<StreamInfo> {
  try {
    const jsm = await nc.jetstreamManager();
    return await jsm.streams.info(stream);
  } catch (err) {
    const why = describeJetStreamError(err);
    if (/stream not found/i.test(why)) throw new Error(`${target}: no such stream (create it, e.g. nats stream add ${stream})`);
    throw new Error(`cannot read ${target}: ${why}`);
  }
}
