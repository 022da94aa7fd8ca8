/**
 * For tests: a local HTTP server that keeps each webhook notification's JSON body, with
 * SLUICE_HTTP_SINK_ALLOW letting the alert notifier reach it on loopback (restored on close).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookReceiver {
  url: string;
  /** The bodies received, in order. */
  hooks: { rule: string; state: string; since: number }[];
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const allowBefore = process.env.SLUICE_HTTP_SINK_ALLOW;
  process.env.SLUICE_HTTP_SINK_ALLOW = '127.0.0.1/32';
  const hooks: HookReceiver['hooks'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hooks,
    async close() {
      if (allowBefore === undefined) delete process.env.SLUICE_HTTP_SINK_ALLOW;
      else process.env.SLUICE_HTTP_SINK_ALLOW = allowBefore;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
