/**
 * One HTTP request of sink.http, through the SSRF guard, with a timeout; what came back, in the
 * terms the retry loop needs. No redirect is followed: a 3xx is an answer like a 4xx (following
 * one could lead past the guard to an address the document could not name).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { type TargetGuard, TargetRefused } from './target-guard.js';

export interface Answer {
  status: number;
  /** Retry-After in ms, when the answer had one. */
  retryAfterMs?: number;
  /** The first bytes of the body, for the error message. */
  text: string;
}

const ANSWER_TEXT_LIMIT = 200;

export function sendRequest(
  url: URL,
  init: { method: string; headers: Record<string, string>; body: Buffer; timeoutMs: number; guard: TargetGuard },
): Promise<Answer> {
  // An address in the URL is not looked up (node connects to it directly): check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const why = init.guard.refuses(host);
    if (why) return Promise.reject(new TargetRefused(why));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method,
        headers: { ...init.headers, 'content-type': 'application/json', 'content-length': String(init.body.length) },
        lookup: init.guard.lookup,
        timeout: init.timeoutMs,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < ANSWER_TEXT_LIMIT) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_TEXT_LIMIT);
          resolve({ status: res.statusCode ?? 0, text, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
        });
        res.on('error', reject);
      },
    );
    // The timeout covers the whole exchange, not only idle sockets.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Seconds, or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * The wait before retry `attempt` (1-based): a random time up to min(max, base x 2^(attempt-1))
 * ("full jitter", AWS Architecture Blog: many senders do not retry in step); a Retry-After the
 * receiver gave wins, capped at `max` too.
 */
export function fullJitter(attempt: number, base: number, max: number, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(max, Math.max(retryAfterMs, 0));
  return Math.round(random() * Math.min(max, base * 2 ** (attempt - 1)));
}
