/**
 * A broker that cannot be reached, or that refuses, ends `sluice check` and `sluice run` with
 * exit 1 once they said why: no MQTT.js reconnect timer may keep the process alive (a CI job
 * would hang instead of failing).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, guardedBroker } from '../../nodes/src/mqtt/guarded-broker.js';
import { waitUntil } from '../faults/support/wait-until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../engine/src/cli/main.ts', import.meta.url));
/** Far above the seconds a failed start takes (Node + tsx on a loaded machine); the hang was forever. */
const EXIT_WITHIN_MS = 90_000;

const dir = mkdtempSync(join(tmpdir(), 'sluice-mqtt-exit-'));
const children = new Set<ChildProcess>();
let guarded: { url: string; stop: () => void };
let closedUrl: string;

beforeAll(async () => {
  guarded = await guardedBroker();
  // A port that was free a moment ago: nothing listens, the connection is refused.
  closedUrl = `mqtt://127.0.0.1:${await freePort()}`;
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  guarded?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  out: string;
  /** Still running at the deadline (then killed). */
  hung: boolean;
}

/** Runs the CLI; kills it if it has not exited by the deadline. `started` gets the child. */
function sluice(...args: string[]): Promise<Exit> {
  return sluiceWith({}, args);
}

function sluiceWith(env: Record<string, string>, args: string[], started?: (child: ChildProcess) => void): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, SLUICE_SECRET_MQTT_EXIT_PW: 'wrong', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started?.(child);
  children.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, EXIT_WITHIN_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, out, hung });
    });
  });
}

function doc(name: string, nodes: unknown[]): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ format: 'sluice/v1', nodes, edges: [{ id: 'e', source: 'a', target: 'b' }] }));
  return path;
}

const sourceDoc = (name: string, config: Record<string, unknown>) =>
  doc(name, [
    { id: 'a', type: 'source.mqtt', config: { topics: ['sluice-test/exit/#'], ...config } },
    { id: 'b', type: 'sink.console', config: {} },
  ]);
const sinkDoc = (name: string, config: Record<string, unknown>) =>
  doc(name, [
    { id: 'a', type: 'source.generator', config: { scenario: 'orders', count: 1 } },
    { id: 'b', type: 'sink.mqtt', config: { topic: 'sluice-test/exit', ...config } },
  ]);

describe('a refused MQTT connection ends the CLI with exit 1', { timeout: 4 * EXIT_WITHIN_MS }, () => {
  it('nothing listens: check and run of source.mqtt and sink.mqtt', async () => {
    const src = sourceDoc('closed-source', { url: closedUrl });
    const sink = sinkDoc('closed-sink', { url: closedUrl });
    const [check, run, checkSink, runSink] = await Promise.all([
      sluice('check', src),
      sluice('run', src),
      sluice('check', sink),
      sluice('run', sink),
    ]);
    const said = `cannot connect to MQTT broker ${closedUrl}: connect ECONNREFUSED`;
    for (const r of [check, run, checkSink, runSink]) expect({ hung: r.hung, code: r.code }, r.out).toEqual({ hung: false, code: 1 });
    expect(check.out).toContain(`✗ a: ${said}`);
    expect(run.out).toContain(`run failed: a: ${said}`);
    expect(checkSink.out).toContain(`✗ b: ${said}`);
    expect(runSink.out).toContain(`run failed: b: ${said}`);
  });

  it('the broker refuses the credentials: check and run', async () => {
    // MQTT_EXIT_PW is "wrong" in the CLI's environment (see sluice()).
    const config = { url: guarded.url, username: 'sluice', passwordSecret: 'MQTT_EXIT_PW' };
    const src = sourceDoc('refused-source', config);
    const sink = sinkDoc('refused-sink', config);
    const [check, run, runSink] = await Promise.all([sluice('check', src), sluice('run', src), sluice('run', sink)]);
    for (const r of [check, run, runSink]) expect({ hung: r.hung, code: r.code }, r.out).toEqual({ hung: false, code: 1 });
    expect(check.out).toContain(`cannot connect to MQTT broker ${guarded.url}: the broker refused`);
    expect(run.out).toContain(`run failed: a: cannot connect to MQTT broker ${guarded.url}: the broker refused`);
    expect(runSink.out).toContain(`run failed: b: cannot connect to MQTT broker ${guarded.url}: the broker refused`);
  });

  it('sluice serve: a deploy that cannot connect fails, and one SIGTERM stops the server', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server: ChildProcess | undefined;
    const exit = sluiceWith({ PORT: String(port), SLUICE_DATA_DIR: join(dir, 'serve-data') }, ['serve'], (c) => (server = c));
    await waitUntil(
      () =>
        fetch(`${base}/api/pipelines`)
          .then((r) => r.ok)
          .catch(() => false),
      EXIT_WITHIN_MS,
      `sluice serve did not answer on ${base}`,
    );
    const doc = {
      id: 'mqtt-down',
      format: 'sluice/v1',
      nodes: [
        { id: 'a', type: 'source.mqtt', config: { url: closedUrl, topics: ['sluice-test/exit/#'] } },
        { id: 'b', type: 'sink.console', config: {} },
      ],
      edges: [{ id: 'e', source: 'a', target: 'b' }],
    };
    const post = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await post('/api/pipelines', doc)).status).toBe(201);
    const deploy = await post('/api/pipelines/mqtt-down/deploy');
    expect(deploy.ok).toBe(false);
    expect(await deploy.text()).toContain(`cannot connect to MQTT broker ${closedUrl}`);
    server?.kill('SIGTERM');
    const r = await exit;
    expect({ hung: r.hung, code: r.code }, r.out).toEqual({ hung: false, code: 0 });
  });
});
