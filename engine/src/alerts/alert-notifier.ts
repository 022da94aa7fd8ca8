/**
 * Sends an alert transition to a webhook target: a JSON body, signed with HMAC-SHA256 under the
 * target's signing secret (header `Sluice-Signature: t=<unix s>,v1=<hex>` over `<t>.<body>`, so
 * a receiver can check both the sender and the age, as Stripe's webhooks do), an idempotency key
 * per transition, and retries with backoff and full jitter. Through the same SSRF guard as
 * sink.http. Failures are logged, never thrown: an alert that cannot be sent must not stop
 * the others.
 */
import { createHmac } from 'node:crypto';
import { fullJitter, sendRequest, type TargetGuard } from '@sluice/nodes/http-client';
import type { WebhookTarget } from '@sluice/shared';

export interface AlertNotification {
  pipeline: string;
  rule: string;
  name: string;
  state: 'firing' | 'resolved';
  condition: string;
  value: number | null;
  /** The rule's `value` the measure is compared with (null: backlog_growing has none). */
  threshold: number | null;
  /** When the condition started to hold (ms since the epoch). */
  since: number;
  at: number;
}

export interface NotifierOptions {
  guard: TargetGuard;
  secret(name: string): string;
  log(line: string): void;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function notify(target: WebhookTarget, n: AlertNotification, o: NotifierOptions): Promise<boolean> {
  const body = JSON.stringify(n);
  const headers: Record<string, string> = {
    'Idempotency-Key': `${n.pipeline}:${n.rule}:${n.since}:${n.state}`,
    'User-Agent': 'sluice-alerts',
  };
  const attempts = o.maxAttempts ?? 5;
  const url = new URL(target.url);
  const where = `${url.origin}${url.pathname}`;
  let why = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const t = Math.floor(Date.now() / 1000);
    let retryAfterMs: number | undefined;
    try {
      // Signed per try: the timestamp is the send time, so a receiver can refuse old replays.
      if (target.signingSecret) headers['Sluice-Signature'] = signature(o.secret(target.signingSecret), t, body);
      const a = await sendRequest(url, {
        method: 'POST',
        headers,
        body: Buffer.from(body),
        timeoutMs: o.timeoutMs ?? 10_000,
        guard: o.guard,
      });
      if (a.status >= 200 && a.status < 300) return true;
      why = `HTTP ${a.status}`;
      retryAfterMs = a.retryAfterMs;
      if (a.status < 500 && a.status !== 408 && a.status !== 429) break;
    } catch (err) {
      why = (err as Error).message;
      // A refused address or an unset signing secret will not change on a retry.
      if ((err as { code?: string }).code === 'http-target-refused' || /^secret /.test(why)) break;
    }
    if (attempt < attempts) {
      const wait = fullJitter(attempt, o.backoffMs ?? 500, o.maxBackoffMs ?? 30_000, o.random ?? Math.random, retryAfterMs);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  o.log(`alert ${n.pipeline}/${n.rule} (${n.state}) was not delivered to target ${target.id} at ${where}: ${why}`);
  return false;
}
