/**
 * For tests: a Mosquitto of the test's own on a free port that wants a password, for broker
 * refusals the shared anonymous broker cannot show. Stop it with `stop()` (kills it and removes
 * its folder). Needs mosquitto and mosquitto_passwd on the PATH; without them the test fails.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../sdk/testing/poll-source.js';

/**
 * A second Mosquitto on a free port that wants a password (user sluice, password "right"): for
 * the refusal the shared test broker (anonymous) cannot show. Needs mosquitto and
 * mosquitto_passwd on the PATH. (Its ACL does not show a refused subscription: Mosquitto grants
 * a denied filter to an MQTT 3.1.1 client and delivers nothing on it.)
 */
export async function guardedBroker(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-mqtt-check-'));
  const port = await freePort();
  try {
    execFileSync('mosquitto_passwd', ['-c', '-b', join(dir, 'pw'), 'sluice', 'right']);
  } catch (err) {
    throw new Error(`these tests start their own Mosquitto: install mosquitto (with mosquitto_passwd). ${(err as Error).message}`);
  }
  writeFileSync(join(dir, 'acl'), 'user sluice\ntopic read allowed/#\n');
  writeFileSync(
    join(dir, 'm.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${join(dir, 'pw')}\nacl_file ${join(dir, 'acl')}\n`,
  );
  // Run as root, Mosquitto drops to its own user, which must read the files.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'pw'), 0o644);
  const child: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'm.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  const stop = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (await accepts(port)) return { url: `mqtt://127.0.0.1:${port}`, stop };
    if (i === 100 || child.exitCode !== null) {
      stop();
      throw new Error(`the Mosquitto these tests start (port ${port}, ${dir}/m.conf) did not listen: ${said}`);
    }
    await sleep(50);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
