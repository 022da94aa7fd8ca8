import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../sdk/testing/index.js';
import { sinkNatsDefinition } from './sink/definition.js';
import { checkNatsSink, checkNatsSource } from './check.js';
import { sourceNatsDefinition } from './source/definition.js';
import { TEST_NATS_URL, TestNats } from './nats-test-client.js';
import { subjectsOverlap } from './subjects.js';

let nats: TestNats;

beforeAll(async () => {
  nats = await TestNats.open();
});

afterAll(async () => {
  await nats?.close();
});

function sourceCtx(config: Record<string, unknown>, secrets?: Record<string, string>) {
  return testContext({
    nodeId: 'orders',
    config: sourceNatsDefinition.config.parse({ url: TEST_NATS_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
}

function sinkCtx(config: Record<string, unknown>, secrets?: Record<string, string>) {
  return testContext({
    nodeId: 'alerts',
    config: sinkNatsDefinition.config.parse({ url: TEST_NATS_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
}

const version = () => nats.nc.info!.version;

/**
 * A second nats-server on a free port, without JetStream, that wants user sluice with password
 * "right": for what the shared test server (no auth, JetStream on) cannot show. Needs nats-server
 * on the PATH.
 */
async function guardedServer(): Promise<{ url: string; stop: () => void }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--user', 'sluice', '--pass', 'right'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  child.on('error', (err) => (said += err.message));
  const stop = () => child.kill();
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return { url: `nats://127.0.0.1:${port}`, stop };
    if (i === 100 || child.exitCode !== null) {
      stop();
      throw new Error(`the nats-server these tests start (port ${port}) did not listen; install nats-server. ${said}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP server that accepts and never answers (no INFO): a host that is up but is no NATS server. */
async function silentServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((s) => s.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `nats://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('source.nats check, mode jetstream', () => {
  it('says what the stream holds: its subjects, how many messages, when the last came', async () => {
    const { stream, prefix } = await nats.stream('check');
    await nats.add(`${prefix}.eu`, { n: 1 });
    await nats.add(`${prefix}.us`, { n: 2 });
    const last = (await nats.jsm.streams.getMessage(stream, { seq: 2 })).time.toISOString().replace(/\.\d+Z$/, 'Z');
    expect(await checkNatsSource(sourceCtx({ stream }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); stream ${stream} (${prefix}.>) holds 2 messages, the last at ${last}`,
    );
    expect(await checkNatsSource(sourceCtx({ stream, subject: `${prefix}.eu` }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); stream ${stream} (${prefix}.>) holds 2 messages, the last at ${last}; reading subject ${prefix}.eu`,
    );
  });

  it('an empty stream is said to be empty', async () => {
    const { stream, prefix } = await nats.stream('check-empty');
    expect(await checkNatsSource(sourceCtx({ stream }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); stream ${stream} (${prefix}.>) is empty`,
    );
  });

  it('leaves no trace: no consumer is created, the messages stay', async () => {
    const { stream, prefix } = await nats.stream('check-trace');
    await nats.add(`${prefix}.a`, { n: 1 });
    await checkNatsSource(sourceCtx({ stream, start: 'earliest' }));
    const info = await nats.jsm.streams.info(stream);
    expect(info.state.consumer_count).toBe(0);
    expect(info.state.messages).toBe(1);
  });

  it('fails naming the stream when there is none by that name, as the start does', async () => {
    await expect(checkNatsSource(sourceCtx({ stream: 'SLUICE_TEST_NO_SUCH_STREAM' }))).rejects.toThrow(
      `stream "SLUICE_TEST_NO_SUCH_STREAM" at ${TEST_NATS_URL}: no such stream (create it, e.g. nats stream add SLUICE_TEST_NO_SUCH_STREAM)`,
    );
  });

  it('fails when the subject filter is one the stream never takes: the node would read nothing', async () => {
    const { stream, prefix } = await nats.stream('check-subject');
    await expect(checkNatsSource(sourceCtx({ stream, subject: 'elsewhere.>' }))).rejects.toThrow(
      `stream "${stream}" at ${TEST_NATS_URL} takes ${prefix}.>, never subject elsewhere.>: the node would read nothing`,
    );
    // Wildcards in the filter that meet the stream's subjects are fine.
    await expect(checkNatsSource(sourceCtx({ stream, subject: `${prefix.split('.')[0]}.*.*.eu` }))).resolves.toContain('; reading subject');
  });
});

describe('source.nats check, mode core', () => {
  it('connects, round trip, and subscribes to nothing', async () => {
    expect(await checkNatsSource(sourceCtx({ mode: 'core', subjects: ['sensors.*.temp', 'orders.>'] }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); core subscription to sensors.*.temp, orders.> (no history: sees what is published while the pipeline runs)`,
    );
  });
});

describe('source.nats check, failures to connect', () => {
  it('fails naming the URL when the server cannot be reached', async () => {
    await expect(checkNatsSource(sourceCtx({ url: 'nats://127.0.0.1:1', stream: 'S' }))).rejects.toThrow(
      /^cannot connect to NATS server nats:\/\/127\.0\.0\.1:1: /,
    );
  });

  it('gives up when the host does not answer', async () => {
    const silent = await silentServer();
    try {
      await expect(checkNatsSource(sourceCtx({ url: silent.url, stream: 'S' }), 300)).rejects.toThrow(
        `no answer from ${silent.url} within 0.3 s`,
      );
    } finally {
      silent.server.close();
    }
  });

  it('fails when the server refuses the credentials, or has no JetStream, naming the URL', async () => {
    const guarded = await guardedServer();
    try {
      const config = { url: guarded.url, username: 'sluice', passwordSecret: 'NATS_PW' };
      await expect(checkNatsSource(sourceCtx({ ...config, stream: 'S' }, { NATS_PW: 'wrong' }))).rejects.toThrow(
        new RegExp(
          `^cannot connect to NATS server ${guarded.url.replaceAll('.', '\\.')}: .*(Authorization Violation|AUTHORIZATION_VIOLATION)`,
        ),
      );
      await expect(checkNatsSource(sourceCtx({ ...config, stream: 'S' }, { NATS_PW: 'right' }))).rejects.toThrow(
        `cannot read stream "S" at ${guarded.url}: JetStream is not enabled on this server, or not for this user (503: no answer from the JetStream API)`,
      );
      await expect(checkNatsSink(sinkCtx({ ...config, subject: 'orders.x' }, { NATS_PW: 'right' }))).rejects.toThrow(
        `cannot publish to subject orders.x at ${guarded.url}: JetStream is not enabled on this server, or not for this user (503: no answer from the JetStream API)`,
      );
      await expect(checkNatsSink(sinkCtx({ ...config, subject: 'orders.{region}' }, { NATS_PW: 'right' }))).rejects.toThrow(
        `cannot publish to subject orders.{region} at ${guarded.url}: JetStream is not enabled on this server`,
      );
      expect(await checkNatsSource(sourceCtx({ ...config, mode: 'core', subjects: ['orders.>'] }, { NATS_PW: 'right' }))).toMatch(
        new RegExp(`^connected to ${guarded.url.replaceAll('.', '\\.')} \\(NATS `),
      );
    } finally {
      guarded.stop();
    }
  });

  it('fails naming the secret when it is not set, before connecting', async () => {
    await expect(checkNatsSource(sourceCtx({ url: 'nats://127.0.0.1:1', stream: 'S', tokenSecret: 'NATS_MISSING' }))).rejects.toThrow(
      /secret NATS_MISSING is not set/,
    );
  });
});

describe('sink.nats check', () => {
  it('a fixed subject: the stream that takes it, what it holds', async () => {
    const { stream, prefix } = await nats.stream('check-sink');
    expect(await checkNatsSink(sinkCtx({ subject: `${prefix}.alerts` }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); subject ${prefix}.alerts goes to stream ${stream} (${prefix}.>), which is empty`,
    );
    await nats.add(`${prefix}.x`, { n: 1 });
    expect(await checkNatsSink(sinkCtx({ subject: `${prefix}.alerts` }))).toMatch(
      /, which holds 1 message, the last at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    // Nothing was published by the checks.
    expect((await nats.jsm.streams.info(stream)).state.messages).toBe(1);
  });

  it('fails when no stream takes the fixed subject, as the start does', async () => {
    await expect(checkNatsSink(sinkCtx({ subject: 'sluice-test.nobody.takes.this' }))).rejects.toThrow(
      `cannot publish to subject sluice-test.nobody.takes.this at ${TEST_NATS_URL}: no JetStream stream takes that subject (create one, or set jetstream false)`,
    );
  });

  it('a template: JetStream is checked, the stream per message', async () => {
    expect(await checkNatsSink(sinkCtx({ subject: 'alerts.{site}' }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); JetStream is on; the subject alerts.{site} comes from each event, so which stream takes it is known per message`,
    );
  });

  it('core NATS: connects, publishes nothing', async () => {
    expect(await checkNatsSink(sinkCtx({ subject: 'alerts.x', jetstream: false }))).toBe(
      `connected to ${TEST_NATS_URL} (NATS ${version()}); publishes to alerts.x with core NATS (no stream, no acknowledgement)`,
    );
  });

  it('fails naming the URL when the server cannot be reached, or does not answer', async () => {
    await expect(checkNatsSink(sinkCtx({ url: 'nats://127.0.0.1:1', subject: 'x' }))).rejects.toThrow(
      /^cannot connect to NATS server nats:\/\/127\.0\.0\.1:1: /,
    );
    const silent = await silentServer();
    try {
      await expect(checkNatsSink(sinkCtx({ url: silent.url, subject: 'x' }), 300)).rejects.toThrow(
        `no answer from ${silent.url} within 0.3 s`,
      );
    } finally {
      silent.server.close();
    }
  });
});

describe('subjectsOverlap', () => {
  it('matches wildcards on either side', () => {
    expect(subjectsOverlap('orders.>', 'orders.eu')).toBe(true);
    expect(subjectsOverlap('orders.>', 'orders')).toBe(false);
    expect(subjectsOverlap('orders.*', 'orders.eu.x')).toBe(false);
    expect(subjectsOverlap('orders.*.created', '*.eu.>')).toBe(true);
    expect(subjectsOverlap('orders.eu', 'orders.us')).toBe(false);
    expect(subjectsOverlap('>', 'a.b.c')).toBe(true);
  });
});
