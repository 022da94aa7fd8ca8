/**
 * Alert rules edited where they apply, as a user does it: in the side panel of a node, add a
 * webhook target and a rule; a `for` out of bounds is refused as you type; the rule is saved in
 * the document (compared whole with the hand-written one); the pipeline is deployed; the rule
 * fires, on the canvas and in the form, and its webhook arrives signed (checked with openssl).
 * On an edge, a data rule's `where` is checked against the edge's fields as you type. A sink
 * target is added with its sink type and config in the sink nodes' own form, checked as you type.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { canvasSessionForFile, storedDocument } from './canvas-session.js';
import { apiCall } from './sample-pipeline.js';
import { webhookReceiverForFile } from './webhook-receiver.js';

// Before the server starts (the session's beforeAll): it reads them at start and at each notification.
process.env.SLUICE_HTTP_SINK_ALLOW = '127.0.0.1/32';
process.env.SLUICE_SECRET_E2E_FORM_KEY = 'form-k3y';

const suite = canvasSessionForFile();

/** A generator of orders at `rate` events/s into a console. */
const ordersToConsole = (id: string, name: string, rate: number) => ({
  format: 'sluice/v1',
  id,
  name,
  nodes: [
    { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders', rate, seed: 1 } },
    { id: 'out', type: 'sink.console', position: { x: 300, y: 0 }, config: {} },
  ],
  edges: [{ id: 'e1', source: 'gen', target: 'out' }],
});
const hook = webhookReceiverForFile('/form');
const received = hook.received;

afterAll(() => {
  delete process.env.SLUICE_HTTP_SINK_ALLOW;
  delete process.env.SLUICE_SECRET_E2E_FORM_KEY;
});

describe('the alert form in the side panel (Chromium)', () => {
  it('adds a rule and a signed webhook on a node; the rule fires on the canvas and its webhook arrives signed', async () => {
    const session = suite.get();
    const doc = ordersToConsole('formed', 'Formed', 20);
    const post = (path: string, body?: unknown) =>
      fetch(`${session.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    expect((await post('/api/pipelines', doc)).status).toBe(201);

    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/formed`);
    await page.getByTestId('node-gen').click();
    const panel = page.getByRole('complementary', { name: 'Node gen' });
    await panel.getByRole('button', { name: 'Add webhook target' }).click();
    await panel.getByLabel('webhook url').fill(hook.url());
    await panel.getByLabel('webhook signing secret').fill('E2E_FORM_KEY');
    await panel.getByRole('button', { name: 'Add alert rule' }).click();
    const rule = panel.getByTestId('alert-rule-alert_1');
    await rule.getByLabel('alert name').fill('Feed too slow');
    await rule.getByLabel('alert kind').selectOption('rate_below');
    // 20 events/s is always below a million: the rule fires once it has 10 s of samples.
    await rule.getByLabel('alert threshold').fill('1000000');
    // Out of bounds: said under the rule as you type.
    await rule.getByLabel('alert for').fill('2d');
    await expect.poll(() => rule.getByTestId('alert-problems-alert_1').textContent(), { timeout: 15_000 }).toBe('for is at most 24h');
    await rule.getByLabel('alert for').fill('0s');
    await expect.poll(() => rule.getByTestId('alert-problems-alert_1').count(), { timeout: 15_000 }).toBe(0);
    await rule.getByLabel('notify hook_1').check();
    await expect
      .poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '', { timeout: 15_000 })
      .toBe('Save');

    // In the document, as written by hand.
    expect((await storedDocument(session.base, 'formed')).alerts).toEqual({
      rules: [{ id: 'alert_1', node: 'gen', when: 'rate_below', value: 1_000_000, for: '0s', name: 'Feed too slow', notify: ['hook_1'] }],
      targets: [{ id: 'hook_1', type: 'webhook', url: hook.url(), signingSecret: 'E2E_FORM_KEY' }],
    });

    expect((await post('/api/pipelines/formed/deploy', {})).status).toBe(200);
    const badge = page.getByTestId('alerts-gen');
    await expect
      .poll(async () => (await badge.count()) > 0 && (await badge.textContent())?.trim(), { timeout: 90_000 })
      .toBe('Firing: Feed too slow');
    await expect.poll(() => rule.getByTestId('alert-state-alert_1').textContent(), { timeout: 30_000 }).toBe('firing');
    await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThan(0);
    const firing = received[0]!;
    expect(JSON.parse(firing.body)).toMatchObject({
      pipeline: 'formed',
      rule: 'alert_1',
      name: 'Feed too slow',
      state: 'firing',
      threshold: 1_000_000,
    });
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(firing.headers['sluice-signature']));
    expect(m, String(firing.headers['sluice-signature'])).not.toBeNull();
    const openssl = spawnSync('openssl', ['dgst', '-sha256', '-hmac', 'form-k3y'], { input: `${m![1]}.${firing.body}`, encoding: 'utf8' });
    expect(openssl.stdout.trim().split(' ').at(-1)).toBe(m![2]);
    expect((await post('/api/pipelines/formed/stop')).status).toBe(200);

    // On the edge: a data rule, its where checked against the orders' fields as you type.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    const edge = page.locator('.react-flow__edge[data-id="e1"] path').first();
    const box = (await edge.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(() => page.evaluate(() => document.querySelector('.react-flow__edge[data-id="e1"]')?.classList.contains('selected') ?? false))
      .toBe(true);
    const edgePanel = page.getByRole('complementary', { name: 'Edge e1' });
    await edgePanel.getByRole('button', { name: 'Add alert rule' }).click();
    const dataRule = edgePanel.getByTestId('alert-rule-alert_2');
    await dataRule.getByLabel('alert kind').selectOption('share_above');
    await expect.poll(() => dataRule.getByLabel('alert threshold').inputValue()).toBe('0.05');
    await dataRule.getByRole('textbox', { name: 'where' }).fill('status == "failed"');
    await expect.poll(() => dataRule.getByTestId('alert-problems-alert_2').textContent(), { timeout: 15_000 }).toMatch(/^where: .*status/);
    await dataRule.getByRole('textbox', { name: 'where' }).fill('quantity > 3');
    await expect.poll(() => dataRule.getByTestId('alert-problems-alert_2').count(), { timeout: 15_000 }).toBe(0);

    // A sink node of the graph as a target: chosen among the document's sink nodes (only `out`).
    await edgePanel.getByRole('button', { name: 'Add sink node target' }).click();
    await expect.poll(() => edgePanel.getByLabel('target sink node').inputValue()).toBe('out');
    await dataRule.getByLabel('notify node_1').check();
    await expect
      .poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '', { timeout: 15_000 })
      .toBe('Save');
    const saved = (await storedDocument(session.base, 'formed')).alerts;
    expect(saved?.targets).toEqual([
      { id: 'hook_1', type: 'webhook', url: hook.url(), signingSecret: 'E2E_FORM_KEY' },
      { id: 'node_1', type: 'node', node: 'out' },
    ]);
    expect(saved?.rules[1]).toMatchObject({ id: 'alert_2', edge: 'e1', when: 'share_above', where: 'quantity > 3', notify: ['node_1'] });
    await page.close();
  }, 300_000);

  it('adds a sink target: a sink type from the registry, its config in the sink form, checked as you type, saved in the document', async () => {
    const session = suite.get();
    expect((await apiCall(session.base, 'POST', '/api/pipelines', ordersToConsole('sinked', 'Sinked', 5))).status).toBe(201);
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${session.base}/#/p/sinked`);
    await page.getByTestId('node-gen').click();
    const panel = page.getByRole('complementary', { name: 'Node gen' });
    await panel.getByRole('button', { name: 'Add sink target' }).click();
    const target = panel.getByTestId('alert-target-sink_1');
    // A file sink first, with the file sink's example config in its own form.
    expect(await target.getByLabel('target sink type').inputValue()).toBe('sink.file');
    expect(await target.getByLabel('config.path', { exact: true }).inputValue()).toBe('out/results.jsonl');
    await target.getByLabel('config.path', { exact: true }).fill('');
    await expect.poll(() => target.getByTestId('problem-config.path').count(), { timeout: 15_000 }).toBe(1);

    // Another sink type starts from its own example; a negative limit is refused at its field.
    await target.getByLabel('target sink type').selectOption('sink.console');
    await expect.poll(() => target.getByLabel('config.prefix', { exact: true }).inputValue(), { timeout: 15_000 }).toBe('out: ');
    expect(await target.getByTestId('problem-config.path').count()).toBe(0);
    await target.getByLabel('config.prefix', { exact: true }).fill('alert: ');
    await target.getByLabel('config.limit', { exact: true }).fill('-1');
    await expect.poll(() => target.getByTestId('problem-config.limit').textContent(), { timeout: 15_000 }).toMatch(/>=\s*0/);
    await target.getByLabel('config.limit', { exact: true }).fill('5');
    await expect.poll(() => target.getByTestId('problem-config.limit').count(), { timeout: 15_000 }).toBe(0);

    await panel.getByRole('button', { name: 'Add alert rule' }).click();
    await panel.getByTestId('alert-rule-alert_1').getByLabel('notify sink_1').check();
    await expect
      .poll(async () => (await page.getByRole('button', { name: /^Save/ }).textContent()) ?? '', { timeout: 15_000 })
      .toBe('Save');
    expect((await storedDocument(session.base, 'sinked')).alerts).toEqual({
      rules: [{ id: 'alert_1', node: 'gen', when: 'rate_below', value: 1, for: '1m', notify: ['sink_1'] }],
      targets: [{ id: 'sink_1', type: 'sink', sink: { type: 'sink.console', config: { prefix: 'alert: ', limit: 5 } } }],
    });
    await page.close();
  }, 120_000);
});
