/**
 * "Check connection" for source.nats and sink.nats (ConnectionCheck, sdk/operator.ts): connects
 * as the node does at start (same secrets, same messages for an unreachable server or refused
 * credentials), looks and closes. It subscribes to nothing and creates no consumer: a
 * JetStream source's stream is read with `streams.info` (the start's own lookup), a sink's
 * fixed subject is matched to its stream with the start's `checkStream`.
 */
import type { NatsConnection, StreamInfo } from 'nats';
import { type CheckDeadline, CHECK_TIMEOUT_MS, withinDeadline } from '../sdk/check-deadline.js';
import type { OperatorContext } from '../sdk/operator.js';
import type { SinkNatsConfig } from './sink/definition.js';
import { checkStream } from './sink/operator.js';
import { connectNats, describeJetStreamError, natsSecrets } from './connect.js';
import type { SourceNatsConfig } from './source/definition.js';
import { streamInfo } from './source/operator.js';
import { partitionSubject } from './partitions.js';
import { subjectsOverlap } from './subjects.js';

export async function checkNatsSource(ctx: OperatorContext<SourceNatsConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  // A split source names its partitions' subjects with {partition}: the check looks at the first one.
  const c = ctx.config.subject === undefined ? ctx.config : { ...ctx.config, subject: partitionSubject(ctx.config.subject, 0) };
  return withCheckConnection(ctx, timeoutMs, async (nc) => {
    const connected = `connected to ${c.url}${serverOf(nc)}`;
    if (c.mode === 'core') {
      // Round trip: the server has read the CONNECT (and accepted the credentials).
      await nc.flush();
      return `${connected}; core subscription to ${c.subjects.join(', ')} (no history: sees what is published while the pipeline runs)`;
    }
    if (c.stream === undefined) throw new Error('mode jetstream needs a stream');
    const target = `stream "${c.stream}" at ${c.url}`;
    const info = await streamInfo(nc, c.stream, target);
    const taken = info.config.subjects ?? [];
    if (c.subject !== undefined && taken.length > 0 && !taken.some((s) => subjectsOverlap(s, c.subject!))) {
      throw new Error(`${target} takes ${taken.join(', ')}, never subject ${c.subject}: the node would read nothing`);
    }
    return `${connected}; ${describeStream(info)}${c.subject === undefined ? '' : `; reading subject ${c.subject}`}`;
  });
}

export async function checkNatsSink(ctx: OperatorContext<SinkNatsConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  return withCheckConnection(ctx, timeoutMs, async (nc) => {
    const connected = `connected to ${c.url}${serverOf(nc)}`;
    if (!c.jetstream) {
      await nc.flush();
      return `${connected}; publishes to ${c.subject} with core NATS (no stream, no acknowledgement)`;
    }
    const stream = await checkStream(nc, c);
    if (stream === undefined) {
      // A template: the subject is known per event; each publish fails if no stream takes it.
      await nc.jetstreamManager().catch((err: unknown) => {
        throw new Error(`cannot publish to subject ${c.subject} at ${c.url}: ${describeJetStreamError(err)}`);
      });
      return `${connected}; JetStream is on; the subject ${c.subject} comes from each event, so which stream takes it is known per message`;
    }
    const jsm = await nc.jetstreamManager();
    return `${connected}; subject ${c.subject} goes to ${describeStream(await jsm.streams.info(stream), ', which')}`;
  });
}

/** Connect as the node does (a missing secret fails before, naming it), run `look`, close. */
async function withCheckConnection<C extends SinkNatsConfig | SourceNatsConfig>(
  ctx: OperatorContext<C>,
  timeoutMs: number,
  look: (nc: NatsConnection) => Promise<string>,
): Promise<string> {
  const c = ctx.config;
  const secrets = natsSecrets(c, (name) => ctx.secret(name));
  return withinDeadline(
    c.url,
    async (deadline: CheckDeadline) => {
      const nc = await connectNats({ url: c.url, username: c.username, ...secrets, name: `sluice check ${ctx.nodeId}` });
      deadline.onExpire(() => nc.close());
      try {
        return await look(nc);
      } finally {
        if (!nc.isClosed()) await nc.close();
      }
    },
    timeoutMs,
  );
}

/** `stream ORDERS (orders.>) holds 1,204 messages, the last at 2026-11-29T17:02:11Z`; `which` joins the two halves. */
function describeStream(info: StreamInfo, which = ''): string {
  const subjects = info.config.subjects?.length ? ` (${info.config.subjects.join(', ')})` : '';
  const { messages, last_ts } = info.state;
  const stream = `stream ${info.config.name}${subjects}${which}`;
  if (messages === 0) return `${stream} is empty`;
  const last = new Date(last_ts).toISOString().replace(/\.\d+Z$/, 'Z');
  return `${stream} holds ${messages.toLocaleString('en-US')} message${messages === 1 ? '' : 's'}, the last at ${last}`;
}

function serverOf(nc: NatsConnection): string {
  const version = nc.info?.version;
  return version ? ` (NATS ${version})` : '';
}
