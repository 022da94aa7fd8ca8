/**
 * sink.http against a real local HTTP server that fails on purpose (scripted answers per
 * request), and its SSRF guard. Loopback is refused by default, so the tests that deliver allow
 * 127.0.0.1/32 explicitly, as a server operator would.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '@sluice/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { plain, recordingCollector, testContext } from '../../sdk/testing/index.js';
import { sinkHttpDefinition } from './definition.js';
import { HttpSink, sinkHttpOperator } from './operator.js';
import { parseRetryAfter } from '../../sdk/http-request.js';
import { ALLOW_ENV, parseAllowList, targetGuard } from '../../sdk/target-guard.js';

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** Answers each request with the next scripted status (the last one repeats); `hang`: never answers. */
class FailingServer {
  received: Received[] = [];
  script: (number | 'hang')[] = [200];
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ method: req.method!, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        const step = this.script[Math.min(this.received.length - 1, this.script.length - 1)]!;
        if (step === 'hang') return;
        res.writeHead(step, step === 429 ? { 'retry-after': '0' } : {});
        res.end(step >= 400 ? `failing on purpose (${step})` : 'ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook?token=in-the-query`;
  }

  reset(script: (number | 'hang')[]): void {
    this.received = [];
    this.script = script;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const server = new FailingServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(() => {
  delete process.env[ALLOW_ENV];
});

const events = (n: number): Event[] => Array.from({ length: n }, (_, i) => Object.freeze({ id: i + 1, card: `c${i + 1}` }) as Event);

function sink(config: Record<string, unknown>, secrets: Record<string, string> = {}): SinkOperator {
  const parsed = sinkHttpDefinition.config.parse({ backoff: 1, maxBackoff: 5, ...config });
  return sinkHttpOperator(testContext({ nodeId: 'hook', config: parsed, secrets })) as SinkOperator;
}

async function deliver(op: SinkOperator, batch: Event[]) {
  const col = recordingCollector('hook', () => true);
  op.process(Object.freeze(batch), col, 'in');
  await op.flush!(col);
  await op.close?.();
  return { errors: plain(col.outputs.error ?? []) as Record<string, unknown>[], count: col.counters.errors };
}

describe('sink.http delivery (a local server failing on purpose)', { timeout: 60_000 }, () => {
  it('retries 503 and 429 with the same idempotency key, then delivers the batch as a JSON array, once', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([503, 429, 200]);
    const r = await deliver(sink({ url: server.url, headers: { 'X-Source': 'sluice' } }), events(3));
    expect(r.count).toBe(0);
    expect(server.received).toHaveLength(3);
    const keys = server.received.map((q) => q.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    for (const q of server.received) {
      expect(q.method).toBe('POST');
      expect(q.headers['content-type']).toBe('application/json');
      expect(q.headers['x-source']).toBe('sluice');
      expect(q.body).toEqual([
        { id: 1, card: 'c1' },
        { id: 2, card: 'c2' },
        { id: 3, card: 'c3' },
      ]);
    }
  });

  it('sends the events to the error port after the last try, naming the answer; never the query string', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([500]);
    const r = await deliver(sink({ url: server.url, maxAttempts: 3 }), events(2));
    expect(server.received).toHaveLength(3);
    expect(r.count).toBe(2);
    expect(r.errors.map((e) => e.id)).toEqual([1, 2]);
    const err = r.errors[0]!._error as { message: string; code: string };
    expect(err.code).toBe('http-gave-up');
    expect(err.message).toContain(`POST http://127.0.0.1:${server.port}/hook: answered HTTP 500`);
    expect(err.message).toContain('gave up after 3 tries');
    expect(err.message).not.toContain('in-the-query');
  });

  it('does not retry an answer that will not change (400): one request, then the error port', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([400]);
    const r = await deliver(sink({ url: server.url, maxAttempts: 5 }), events(1));
    expect(server.received).toHaveLength(1);
    expect(r.errors[0]!._error).toMatchObject({ code: 'http-refused' });
    expect((r.errors[0]!._error as { message: string }).message).toContain('answered HTTP 400 "failing on purpose (400)"');
  });

  it('gives up on a receiver that never answers after `timeout` per try', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset(['hang']);
    const r = await deliver(sink({ url: server.url, timeout: 200, maxAttempts: 2 }), events(1));
    expect(server.received).toHaveLength(2);
    expect((r.errors[0]!._error as { message: string }).message).toContain('no answer within 200 ms (gave up after 2 tries)');
  });

  it('single mode: one request per event, each with its own key (the idempotencyField when set)', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([200]);
    await deliver(sink({ url: server.url, mode: 'single', idempotencyField: 'card' }), events(3));
    expect(server.received.map((q) => q.body)).toEqual([
      { id: 1, card: 'c1' },
      { id: 2, card: 'c2' },
      { id: 3, card: 'c3' },
    ]);
    expect(server.received.map((q) => q.headers['idempotency-key'])).toEqual(['c1', 'c2', 'c3']);
  });

  it('gives the same events the same key in a new sink (a replay after a crash), and cuts batches by batchSize and maxBytes', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([200]);
    await deliver(sink({ url: server.url, batchSize: 2 }), events(5));
    expect(server.received.map((q) => (q.body as unknown[]).length)).toEqual([2, 2, 1]);
    const first = server.received.map((q) => q.headers['idempotency-key']);
    server.reset([200]);
    await deliver(sink({ url: server.url, batchSize: 2 }), events(5));
    expect(server.received.map((q) => q.headers['idempotency-key'])).toEqual(first);

    // Events 1-9 are 20 bytes as JSON ({"id":1,"card":"c1"}), 10-60 are 22. 45 of them in an array:
    // 2 brackets + 9 x 20 + 36 x 22 + 44 commas = 1,018 bytes; a 46th would make 1,041 > 1,024.
    server.reset([200]);
    await deliver(sink({ url: server.url, batchSize: 100, maxBytes: 1024 }), events(60));
    expect(server.received.map((q) => (q.body as unknown[]).length)).toEqual([45, 15]);
  });

  it('sends secret headers, and no message names their value', async () => {
    process.env[ALLOW_ENV] = '127.0.0.1/32';
    server.reset([401]);
    const r = await deliver(
      sink({ url: server.url, headerSecrets: { Authorization: 'HOOK_TOKEN' } }, { HOOK_TOKEN: 'Bearer s3cr3t-value' }),
      events(1),
    );
    expect(server.received[0]!.headers.authorization).toBe('Bearer s3cr3t-value');
    expect(JSON.stringify(r.errors)).not.toContain('s3cr3t');
  });
});

describe('sink.http SSRF guard', { timeout: 60_000 }, () => {
  it('refuses loopback by default, by address and by name, before any request is made', async () => {
    server.reset([200]);
    for (const url of [
      `http://127.0.0.1:${server.port}/`,
      `http://localhost:${server.port}/`,
      `http://[::ffff:127.0.0.1]:${server.port}/`,
    ]) {
      const r = await deliver(sink({ url }), events(1));
      expect(r.errors[0]!._error, url).toMatchObject({ code: 'http-target-refused' });
      expect((r.errors[0]!._error as { message: string }).message, url).toMatch(
        /loopback; the server refuses it unless SLUICE_HTTP_SINK_ALLOW allows it/,
      );
    }
    expect(server.received).toHaveLength(0);
  });

  it('knows the ranges a document must not reach, and lets the allow list open one', () => {
    const guard = targetGuard('');
    const refused = {
      '127.0.0.1': 'loopback',
      '::1': 'loopback',
      '::ffff:10.1.2.3': 'a private network',
      '10.0.0.1': 'a private network',
      '172.16.5.4': 'a private network',
      '192.168.1.1': 'a private network',
      '169.254.169.254': 'link-local (cloud metadata)',
      'fe80::1': 'link-local',
      'fd00::1': 'a private network',
      '100.64.0.1': 'carrier-grade NAT',
      '0.0.0.0': 'this host',
    };
    for (const [addr, why] of Object.entries(refused)) expect(guard.refuses(addr), addr).toContain(why);
    for (const addr of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111']) expect(guard.refuses(addr), addr).toBeUndefined();
    const allowed = targetGuard('10.0.0.0/8, ::1');
    expect(allowed.refuses('10.9.9.9')).toBeUndefined();
    expect(allowed.refuses('::1')).toBeUndefined();
    expect(allowed.refuses('127.0.0.1')).toContain('loopback');
    expect(() => parseAllowList('10.0.0.0/33')).toThrow('SLUICE_HTTP_SINK_ALLOW: "10.0.0.0/33" is not an address or CIDR');
  });
});

describe('sink.http config and waits', () => {
  it('refuses credentials in the document and headers it sets itself', () => {
    const problems = sinkHttpDefinition.check!(
      sinkHttpDefinition.config.parse({
        url: 'https://user:pw@hooks.example.com/x',
        headers: { Authorization: 'Bearer x', 'Content-Type': 'text/plain', 'bad name': 'v' },
      }),
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      'config.headers.Authorization',
      'config.headers.Content-Type',
      'config.headers.bad name',
      'config.url',
    ]);
    expect(sinkHttpDefinition.check!(sinkHttpDefinition.config.parse({ url: 'ftp://x/y' }))[0]!.message).toBe(
      'ftp: is not http: or https:',
    );
  });

  it('waits with full jitter under a doubling ceiling, capped; Retry-After wins, capped too', () => {
    const c = sinkHttpDefinition.config.parse({ url: 'https://x.example/', backoff: 100, maxBackoff: 1000 });
    const at = (r: number) => new HttpSink(new URL(c.url), {}, c, 'n', targetGuard(''), () => r);
    expect([1, 2, 3, 4, 5].map((a) => at(1).backoff(a))).toEqual([100, 200, 400, 800, 1000]);
    expect(at(0.5).backoff(3)).toBe(200);
    expect(at(0).backoff(3)).toBe(0);
    expect(at(1).backoff(1, 700)).toBe(700);
    expect(at(1).backoff(1, 5000)).toBe(1000);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
