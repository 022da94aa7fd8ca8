/**
 * The server's alert evaluator: conditions measured over metrics samples (hand-computed), the
 * ok -> pending -> firing -> ok steps, and webhook notifications to a real local HTTP server that
 * fails on purpose first, signed with HMAC-SHA256 (checked with openssl, not our own code).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetGuard } from '@sluice/nodes/http-client';
import type { AlertRule, PipelineMetrics } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunHandle } from '../runners/runner.js';
import { FileStore } from '../store/file-store.js';
import { measure, type Sample } from './alert-conditions.js';
import { AlertEvaluator } from './alert-evaluator.js';
import { step } from './alert-state.js';

/** In-counter of node `gen`: 100 events/s up to t = 60 s, then 1 event/s. */
const inAt = (t: number) => (t <= 60 ? 100 * t : 6000 + (t - 60));

function metricsAt(t: number, extra: Partial<PipelineMetrics> = {}): PipelineMetrics {
  return {
    at: t * 1000,
    status: 'running',
    startedAt: 0,
    nodes: {
      gen: { in: inAt(t), out: inAt(t), errors: 0, late: 0, dropped: 0, batches: 1, busyMs: 0 } as PipelineMetrics['nodes'][string],
    },
    edges: {},
    stages: {},
    sinks: {},
    ...extra,
  } as PipelineMetrics;
}

const SLOW: AlertRule = { id: 'slow', node: 'gen', when: 'rate_below', value: 5, for: '10s', notify: ['hook'] };

describe('alert conditions and states, by hand', () => {
  it('rate_below: under 5/s first at t = 120 s (samples every 5 s), firing 10 s later', () => {
    // Rate over the last 60 s at t in (60, 120]: (6000 + (t - 60) - 100 (t - 60)) / 60, under 5
    // once t > 117.6: the sample at 120 s is the first (rate (6060 - 6000) / 60 = 1).
    const samples: Sample[] = [];
    let state = { phase: 'ok' } as ReturnType<typeof step>['next'];
    const phases: Record<number, string> = {};
    for (let t = 0; t <= 135; t += 5) {
      samples.push({ at: t * 1000, metrics: metricsAt(t) });
      state = step(state, measure(SLOW, samples), t * 1000, 10_000).next;
      phases[t] = state.phase;
    }
    expect(measure(SLOW, samples.slice(0, 24))!.value).toBeCloseTo((6055 - 5500) / 60, 9); // t = 115
    expect([phases[115], phases[120], phases[125], phases[130], phases[135]]).toEqual(['ok', 'pending', 'pending', 'firing', 'firing']);
    expect(state.value).toBeCloseTo(1, 9);
  });

  it('needs 10 s of samples for a rate, and measures from a counter restart', () => {
    expect(
      measure(SLOW, [
        { at: 0, metrics: metricsAt(0) },
        { at: 5000, metrics: metricsAt(5) },
      ]),
    ).toBeUndefined();
    // A redeploy restarts the counter at 0 at t = 20: 4 events in the 10 s after it.
    const restarted = (t: number, n: number) => ({
      at: t * 1000,
      metrics: { ...metricsAt(t), nodes: { gen: { ...metricsAt(t).nodes.gen!, in: n } } },
    });
    const m = measure(SLOW, [restarted(10, 5000), restarted(20, 0), restarted(30, 4)]);
    expect(m).toEqual({ value: 0.4, holds: true });
  });

  it('error_ratio_above, watermark_lag_above and backlog_growing, by hand', () => {
    const at = (t: number, inN: number, errors: number, lagMs: number | null, backlog: number): Sample => ({
      at: t * 1000,
      metrics: {
        ...metricsAt(t),
        nodes: { w: { ...metricsAt(t).nodes.gen!, in: inN, errors } },
        stages: { '1': { nodes: ['w', 'out'], partitions: 2, backlog, watermark: 0, watermarkLagMs: lagMs } },
      } as PipelineMetrics,
    });
    const s = [at(0, 0, 0, 5000, 10), at(30, 300, 20, 40_000, 10), at(60, 1000, 120, 45_000, 25)];
    // 120 errors / 1000 events in the window.
    expect(measure({ id: 'e', node: 'w', when: 'error_ratio_above', value: 0.1 }, s)).toEqual({ value: 0.12, holds: true });
    expect(measure({ id: 'l', node: 'w', when: 'watermark_lag_above', value: 30 }, s)).toEqual({ value: 45, holds: true });
    expect(measure({ id: 'b', node: 'w', when: 'backlog_growing' }, s)).toEqual({ value: 15, holds: true });
    expect(measure({ id: 'b', node: 'w', when: 'backlog_growing' }, [s[0]!, at(60, 1000, 120, 45_000, 10)])).toEqual({
      value: 0,
      holds: false,
    });
  });
});

describe('alert evaluator with webhooks (a local server failing on purpose)', { timeout: 60_000 }, () => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let server: Server;
  let url = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-alert-eval-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        // Every notification's first try fails.
        const tries = received.filter((r) => r.headers['idempotency-key'] === req.headers['idempotency-key']).length;
        res.writeHead(tries === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('notifies firing then resolved, once each, signed, with a stable idempotency key across the retry', async () => {
    const store = new FileStore({ dataDir });
    await store.put(
      'feed',
      {
        format: 'sluice/v1',
        id: 'feed',
        nodes: [
          { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 100 } },
          { id: 'out', type: 'sink.console', config: {} },
        ],
        edges: [{ id: 'e1', source: 'gen', target: 'out' }],
        alerts: { rules: [SLOW], targets: [{ id: 'hook', type: 'webhook', url, signingSecret: 'HOOK_KEY' }] },
      },
      { author: 'test', action: 'create', baseDir: dataDir },
    );
    let t = 0;
    let recovered = false;
    // After t = 140 the feed is back at 100/s.
    const handle = {
      metrics: () =>
        recovered ? { ...metricsAt(t), nodes: { gen: { ...metricsAt(t).nodes.gen!, in: 6080 + 100 * (t - 140) } } } : metricsAt(t),
    } as unknown as RunHandle;
    const logs: string[] = [];
    const evaluator = new AlertEvaluator({
      runs: () => new Map([['feed', handle]]),
      store,
      now: () => t * 1000,
      notifier: {
        guard: targetGuard('127.0.0.1/32'),
        secret: (n) => (n === 'HOOK_KEY' ? 'k3y-for-tests' : ''),
        log: (l) => logs.push(l),
        backoffMs: 1,
        maxBackoffMs: 5,
      },
    });
    for (t = 0; t <= 140; t += 5) await evaluator.tick();
    expect((await evaluator.view('feed'))[0]).toMatchObject({ rule: 'slow', state: 'firing', since: 120_000 });
    recovered = true;
    for (t = 145; t <= 220; t += 5) await evaluator.tick();
    await evaluator.stop();
    expect((await evaluator.view('feed'))[0]!.state).toBe('ok');

    // Two notifications, each tried twice (503, then 200) under one key.
    const keys = received.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(['feed:slow:120000:firing', 'feed:slow:120000:firing', 'feed:slow:120000:resolved', 'feed:slow:120000:resolved']);
    const firing = JSON.parse(received[1]!.body);
    expect(firing).toMatchObject({
      pipeline: 'feed',
      rule: 'slow',
      state: 'firing',
      since: 120_000,
      at: 130_000,
      condition: 'events per second on node gen below 5',
    });
    expect(JSON.parse(received[3]!.body)).toMatchObject({ state: 'resolved', since: 120_000 });
    for (const r of received) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['sluice-signature']));
      expect(m, String(r.headers['sluice-signature'])).not.toBeNull();
      const openssl = spawnSync('openssl', ['dgst', '-sha256', '-hmac', 'k3y-for-tests'], {
        input: `${m![1]}.${r.body}`,
        encoding: 'utf8',
      });
      expect(openssl.stdout.trim().split(' ').at(-1)).toBe(m![2]);
    }
    expect(logs.filter((l) => l.includes('was not delivered'))).toEqual([]);
  });
});
