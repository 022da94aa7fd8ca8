/** A local HTTP server standing for an alert webhook: it keeps what it receives and answers 200. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** Started before the file's tests, closed after; `url()` ends with `path`. */
export function webhookReceiverForFile(path: string): { received: Received[]; url(): string } {
  const received: Received[] = [];
  let server: Server | undefined;
  let url = '';
  beforeAll(async () => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    server = s;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(s.address() as AddressInfo).port}${path}`;
  });
  afterAll(async () => {
    const s = server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  });
  return { received, url: () => url };
}
