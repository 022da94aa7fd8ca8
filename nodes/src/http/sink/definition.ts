/**
 * sink.http's definition (browser-safe): POSTs events as JSON to a URL, with retries, an
 * idempotency key and an SSRF guard. Delivery and guarantees: README.md beside this file.
 */
import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { errorPortSchema } from '../../sdk/error-event.js';
import { secretName } from '../../sdk/secrets.js';

/** Headers the sink sets itself, or that would change what the request means. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const sinkHttpConfig = z.object({
  url: z.string().min(1).describe('http:// or https:// URL to send to; may name an environment variable (docs/secrets.md)'),
  method: z.enum(['POST', 'PUT']).default('POST').describe('HTTP method'),
  mode: z
    .enum(['batch', 'single'])
    .default('batch')
    .describe('batch: a JSON array of up to batchSize events per request; single: one event per request'),
  batchSize: z.number().int().min(1).max(10_000).default(100).describe('batch: events per request at most'),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 2 ** 20)
    .default(2 ** 20)
    .describe('Largest request body in bytes; a batch is cut to fit, a single larger event goes to the error port'),
  headers: z.record(z.string(), z.string().max(4096)).default({}).describe('Fixed headers sent with every request (no secrets here)'),
  headerSecrets: z
    .record(z.string(), secretName)
    .default({})
    .describe('Headers whose value is a secret, e.g. { "Authorization": "ALERTS_TOKEN" } (the secret holds "Bearer ...")'),
  idempotencyHeader: z.string().min(1).default('Idempotency-Key').describe('Header that carries the idempotency key'),
  idempotencyField: z
    .string()
    .min(1)
    .optional()
    .describe("A field whose value is the event's idempotency key; omitted: a hash of the node id and the event"),
  timeout: z.number().int().min(100).max(120_000).default(10_000).describe('Milliseconds a request may take'),
  maxAttempts: z.number().int().min(1).max(20).default(5).describe('Tries per request, the first included'),
  backoff: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(200)
    .describe('Milliseconds before the first retry; doubles each time, with full jitter'),
  maxBackoff: z.number().int().min(1).max(300_000).default(10_000).describe('Longest wait between two tries (also caps Retry-After)'),
  concurrency: z.number().int().min(1).max(16).default(1).describe('Requests in flight at once (1 keeps the order of delivery)'),
});

export type SinkHttpConfig = z.output<typeof sinkHttpConfig>;

function check(c: SinkHttpConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!c.url.includes('${env:')) {
    let u: URL | undefined;
    try {
      u = new URL(c.url);
    } catch {
      problems.push({ path: 'config.url', message: `"${c.url}" is not a URL (e.g. https://hooks.example.com/sluice)` });
    }
    if (u && u.protocol !== 'http:' && u.protocol !== 'https:')
      problems.push({ path: 'config.url', message: `${u.protocol} is not http: or https:` });
    if (u && (u.username || u.password))
      problems.push({ path: 'config.url', message: 'the URL holds credentials; documents are shared: put them in headerSecrets' });
  }
  const names = [...Object.keys(c.headers), ...Object.keys(c.headerSecrets)];
  const seen = new Set<string>();
  for (const name of names) {
    const where = Object.hasOwn(c.headerSecrets, name) ? 'headerSecrets' : 'headers';
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) problems.push({ path: `config.${where}.${name}`, message: `"${name}" is not a header name` });
    else if (RESERVED_HEADERS.has(lower) || lower === c.idempotencyHeader.toLowerCase())
      problems.push({ path: `config.${where}.${name}`, message: `${name} is set by the sink itself` });
    else if (seen.has(lower)) problems.push({ path: `config.${where}.${name}`, message: `${name} is set twice` });
    seen.add(lower);
  }
  for (const [name, value] of Object.entries(c.headers)) {
    if (/[\r\n]/.test(value)) problems.push({ path: `config.headers.${name}`, message: 'a header value cannot hold a line break' });
    if (/^(authorization|proxy-authorization|x-api-key|cookie)$/i.test(name))
      problems.push({ path: `config.headers.${name}`, message: `${name} carries a credential; documents are shared: use headerSecrets` });
  }
  if (!HEADER_NAME.test(c.idempotencyHeader))
    problems.push({ path: 'config.idempotencyHeader', message: `"${c.idempotencyHeader}" is not a header name` });
  if (c.backoff > c.maxBackoff)
    problems.push({ path: 'config.backoff', message: `backoff (${c.backoff}) is more than maxBackoff (${c.maxBackoff})` });
  if (c.mode === 'single' && c.batchSize !== 100)
    problems.push({
      path: 'config.batchSize',
      message: 'single mode sends one event per request; batchSize is ignored',
      severity: 'warning',
    });
  return problems;
}

export const sinkHttpDefinition = defineNode<SinkHttpConfig>({
  type: 'sink.http',
  category: 'sink',
  title: 'HTTP (webhook)',
  summary: 'POSTs events as JSON to a URL, with retries and an idempotency key.',
  docs:
    'Sends each batch the node receives as a JSON array (`mode: batch`, up to `batchSize` events and ' +
    '`maxBytes`), or each event alone (`mode: single`), to `url`. Every request carries an idempotency ' +
    'key (header `Idempotency-Key`) that is the same on every retry and after a crash, so the receiver ' +
    'can drop repeats. A network error, a timeout, 408, 425, 429 or a 5xx is retried up to ' +
    '`maxAttempts` times with exponential backoff and full jitter (Retry-After is honoured); another ' +
    'answer, or the last failed try, sends the events to the `error` port with the reason. Redirects ' +
    'are not followed. Loopback, link-local and private addresses are refused unless the server ' +
    'allows them (SLUICE_HTTP_SINK_ALLOW).',
  example: {
    url: 'https://hooks.example.com/sluice/alerts',
    method: 'POST',
    mode: 'batch',
    batchSize: 100,
    maxBytes: 1048576,
    headers: { 'X-Source': 'sluice' },
    headerSecrets: { Authorization: 'ALERTS_TOKEN' },
    idempotencyHeader: 'Idempotency-Key',
    timeout: 10000,
    maxAttempts: 5,
    backoff: 200,
    maxBackoff: 10000,
    concurrency: 1,
  },
  config: sinkHttpConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [{ name: 'error', label: 'Not delivered', description: 'Events the receiver refused, or that failed on the last try' }],
  inferSchema: (_c, ctx) => ({ error: ctx.inputs.in ? errorPortSchema(ctx.inputs.in) : undefined }),
  check,
  envRefFields: ['url'],
});
