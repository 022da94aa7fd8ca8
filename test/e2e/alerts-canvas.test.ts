/**
 * An alert in the graph, as a user sees it: a pipeline whose document holds an alert rule and
 * a webhook target is deployed; the rule fires on the server, the node on the canvas shows it,
 * and the webhook arrives signed (checked with openssl). Stopping the run clears the badge.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';
import { webhookReceiverForFile } from './webhook-receiver.js';

// Before the server starts (the session's beforeAll): it reads them at start and at each notification.
process.env.SLUICE_HTTP_SINK_ALLOW = '127.0.0.1/32';
process.env.SLUICE_SECRET_E2E_HOOK_KEY = 'e2e-k3y';

const suite = canvasSessionForFile();
const hook = webhookReceiverForFile('/sluice');
const received = hook.received;

afterAll(() => {
  delete process.env.SLUICE_HTTP_SINK_ALLOW;
  delete process.env.SLUICE_SECRET_E2E_HOOK_KEY;
});

describe('alerts on the canvas (Chromium)', () => {
  it('a firing rule shows on its node, its webhook arrives signed, and the badge goes when the run stops', async () => {
    const session = suite.get();
    const doc = {
      format: 'sluice/v1',
      id: 'alerting',
      name: 'Alerting',
      nodes: [
        { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate: 20, seed: 1 } },
        { id: 'out', type: 'sink.console', position: { x: 300, y: 0 }, config: {} },
      ],
      edges: [{ id: 'e1', source: 'gen', target: 'out' }],
      alerts: {
        // 20 events/s is always below a million: the rule fires once it has 10 s of samples.
        rules: [{ id: 'slow', name: 'Feed too slow', node: 'gen', when: 'rate_below', value: 1_000_000, for: '0s', notify: ['hook'] }],
        targets: [{ id: 'hook', type: 'webhook', url: hook.url(), signingSecret: 'E2E_HOOK_KEY' }],
      },
    };
    const post = (path: string, body?: unknown) =>
      fetch(`${session.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    expect((await post('/api/pipelines', doc)).status).toBe(201);
    expect((await post('/api/pipelines/alerting/deploy', {})).status).toBe(200);

    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/alerting`);
    await page.getByTestId('node-gen').waitFor();
    const badge = page.getByTestId('alerts-gen');
    await expect
      .poll(async () => (await badge.count()) > 0 && (await badge.textContent())?.trim(), { timeout: 90_000 })
      .toBe('Firing: Feed too slow');
    await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThan(0);
    const firing = received[0]!;
    expect(JSON.parse(firing.body)).toMatchObject({ pipeline: 'alerting', rule: 'slow', name: 'Feed too slow', state: 'firing' });
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(firing.headers['sluice-signature']));
    expect(m, String(firing.headers['sluice-signature'])).not.toBeNull();
    const openssl = spawnSync('openssl', ['dgst', '-sha256', '-hmac', 'e2e-k3y'], { input: `${m![1]}.${firing.body}`, encoding: 'utf8' });
    expect(openssl.stdout.trim().split(' ').at(-1)).toBe(m![2]);

    expect((await post('/api/pipelines/alerting/stop')).status).toBe(200);
    await expect.poll(() => badge.count(), { timeout: 30_000 }).toBe(0);
    await page.close();
  }, 240_000);
});
