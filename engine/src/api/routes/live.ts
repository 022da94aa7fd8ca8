/**
 * Server-sent events. Metrics: one `metrics` message per interval (default 1 s) for as long as
 * the client listens - `{ status, metrics? }`, `not-deployed` while nothing runs, so an editor
 * that subscribes before pressing Deploy sees the run start without reconnecting - and one
 * `end` message `{ status, metrics }` when a run it watched ends (completed, stopped, failed).
 * Taps: a bounded sample of the events crossing one edge of the running pipeline, masked by the
 * pipeline's privacy settings (docs/privacy.md) before they leave; a `masked` message says which
 * fields were masked (and how), for the editor's note.
 */
import { Hono } from 'hono';
import type { SSEStreamingApi } from 'hono/streaming';
import { streamSSE } from 'hono/streaming';
import type { Event } from '@sluice/shared';
import { type DeploymentManager, isLive } from '../../deployments/deployment-manager.js';
import { pipelinePrivacy } from '../../privacy/pipeline-privacy.js';
import type { RunHandle } from '../../runners/runner.js';
import { redactDeep } from '../../secrets/redact.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError } from '../errors.js';
import { checkId, findPipeline } from '../lookup.js';

export interface LiveRoutesOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  /** Most events a tap sends per second (default 20): a preview, not a firehose. */
  tapEventsPerSecond?: number;
}

/** Tap messages go out at most this often, each a small array of events. */
const TAP_FLUSH_MS = 200;
/** A comment line this often keeps proxies from closing an idle tap. */
const KEEPALIVE_MS = 15_000;

/** Sleep, but wake at once when the server shuts down. */
function pause(stream: SSEStreamingApi, deployments: DeploymentManager, ms: number): Promise<unknown> {
  return Promise.race([stream.sleep(ms), deployments.whenClosed]);
}

function watchAbort(stream: SSEStreamingApi): { readonly open: boolean } {
  const state = { open: true };
  stream.onAbort(() => {
    state.open = false;
  });
  return state;
}

export function liveRoutes(o: LiveRoutesOptions): Hono {
  const app = new Hono();
  const tapRate = o.tapEventsPerSecond ?? 20;

  app.get('/:id/metrics', async (c) => {
    const id = (await findPipeline(o.store, c.req.param('id'))).id;
    const intervalMs = Math.min(60_000, Math.max(100, Number(c.req.query('intervalMs') ?? 1000) || 1000));
    return streamSSE(c, async (stream) => {
      const client = watchAbort(stream);
      let known = o.deployments.handle(id);
      // The run whose end is still to be announced: a live one now, or any started later
      // (even one that ended between two ticks).
      let watched: RunHandle | undefined = known && isLive(known.status()) ? known : undefined;
      let seq = 0;
      // Node errors in the metrics may quote a connection URL: masked before they leave.
      const send = (event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(redactDeep(data)), id: String(seq++) });
      while (client.open && !o.deployments.closed) {
        const current = o.deployments.handle(id);
        if (current && current !== known) known = watched = current;
        // A stopped run leaves the manager at once; keep reporting it until it has ended.
        const h = current ?? watched;
        if (!h && !(await o.store.get(id))) {
          await send('end', { status: 'deleted' });
          break;
        }
        const status = h ? h.status() : 'not-deployed';
        await send('metrics', h ? { status, metrics: h.metrics() } : { status });
        if (watched && !isLive(watched.status())) {
          await send('end', { status: watched.status(), metrics: watched.metrics() });
          watched = undefined;
        }
        await pause(stream, o.deployments, intervalMs);
      }
    });
  });

  app.get('/:id/taps/:edgeId', async (c) => {
    const id = (await findPipeline(o.store, c.req.param('id'))).id;
    const edgeId = c.req.param('edgeId');
    checkId('edge', edgeId);
    const h = o.deployments.handle(id);
    if (!h || !isLive(h.status())) throw new ApiError(409, 'not-deployed', `pipeline "${id}" is not running`);
    // The running plan's edges: the stored document may have been edited since the deploy.
    if (!(edgeId in h.metrics().edges)) throw new ApiError(404, 'not-found', `the running pipeline "${id}" has no edge "${edgeId}"`);
    return streamSSE(c, async (stream) => {
      const client = watchAbort(stream);
      const privacy = o.deployments.privacyOf(id) ?? pipelinePrivacy({});
      // The document's rules always apply; fields the name-based default masked are added as seen.
      const announced = new Map<string, string>(privacy.ruleFields.map((f) => [f.field, f.how]));
      const personal = new Set<string>();
      let told = -1;
      let pending: Event[] = [];
      let budget = tapRate;
      // Called on the engine's hot path: take a reference and return, nothing more.
      const off = h.tap(edgeId, (events) => {
        for (let i = 0; i < events.length && budget > 0; i++, budget--) pending.push(events[i]!);
      });
      try {
        let sinceRefill = 0;
        let sinceWrite = 0;
        while (client.open && !o.deployments.closed && o.deployments.handle(id) === h && isLive(h.status())) {
          if (pending.length > 0) {
            const batch = pending.map((e) => privacy.mask(e, personal));
            pending = [];
            for (const f of personal) if (!announced.has(f)) announced.set(f, 'personal');
            if (announced.size > 0 && announced.size !== told) {
              told = announced.size;
              await stream.writeSSE({ event: 'masked', data: JSON.stringify([...announced].map(([field, how]) => ({ field, how }))) });
            }
            await stream.writeSSE({ event: 'events', data: JSON.stringify(batch) });
            sinceWrite = 0;
          } else if (sinceWrite >= KEEPALIVE_MS) {
            await stream.write(': keep-alive\n\n');
            sinceWrite = 0;
          }
          await pause(stream, o.deployments, TAP_FLUSH_MS);
          sinceWrite += TAP_FLUSH_MS;
          if ((sinceRefill += TAP_FLUSH_MS) >= 1000) {
            sinceRefill = 0;
            budget = tapRate;
          }
        }
        if (client.open) await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: h.status() }) });
      } finally {
        off();
      }
    });
  });

  return app;
}
