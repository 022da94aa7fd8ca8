/**
 * source.nats: connects (a missing secret, an unreachable server or a missing stream fails the
 * start, naming it), then reads in one of two modes: jetstream-source.ts (a stream by sequence,
 * replayable) or core-source.ts (a plain subscription, at most once).
 */
import type { NatsConnection, StreamInfo } from 'nats';
import type { SourceFactory } from '../../sdk/operator.js';
import { connectNats, describeJetStreamError, natsSecrets } from '../connect.js';
import { CoreSource } from './core-source.js';
import type { SourceNatsConfig } from './definition.js';
import { JetStreamSource } from './jetstream-source.js';
import { MessageBuffer } from './message-buffer.js';
import { BatchMaker } from './to-batch.js';

export const sourceNatsOperator: SourceFactory<SourceNatsConfig> = async (ctx) => {
  const c = ctx.config;
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
    at = await startSequence(nc, c.stream, c.start, target);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return new JetStreamSource({ nc, config: { ...c, stream: c.stream }, at, batches, target, nodeId: ctx.nodeId });
};

/**
 * The last sequence "already read" at a fresh start: 0 for earliest; for latest the stream's
 * last sequence now, pinned so that messages added between the start and the first read are not
 * skipped and the first checkpoint already holds a real position.
 */
async function startSequence(nc: NatsConnection, stream: string, start: 'earliest' | 'latest', target: string): Promise<number> {
  const last = (await streamInfo(nc, stream, target)).state.last_seq;
  return start === 'earliest' ? 0 : last;
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
