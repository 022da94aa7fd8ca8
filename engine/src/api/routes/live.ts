/** Server-sent events: live metrics once a second, and a bounded sample of the events on an edge. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Event } from '@sluice/shared';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { ApiError } from '../errors.js';

/** At most this many events per second per tap: a preview, not a firehose. */
const TAP_EVENTS_PER_SECOND = 20;

export function liveRoutes(o: { deployments: DeploymentManager; exists: (id: string) => Promise<unknown> }): Hono {
  const app = new Hono();

  app.get('/:id/metrics', async (c) => {
    const id = c.req.param('id');
    await o.exists(id);
    const intervalMs = Math.max(100, Number(c.req.query('intervalMs') ?? 1000) || 1000);
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      let seq = 0;
      while (open) {
        const h = o.deployments.handle(id);
        const data = h ? { status: h.status(), metrics: h.metrics() } : { status: 'not-deployed' };
        await stream.writeSSE({ event: 'metrics', data: JSON.stringify(data), id: String(seq++) });
        if (!h || (h.status() !== 'running' && h.status() !== 'starting')) break;
        await stream.sleep(intervalMs);
      }
    });
  });

  app.get('/:id/taps/:edgeId', async (c) => {
    const id = c.req.param('id');
    const edgeId = c.req.param('edgeId');
    await o.exists(id);
    const h = o.deployments.handle(id);
    if (!h) throw new ApiError(409, 'not-deployed', `pipeline "${id}" is not deployed`);
    if (!(edgeId in h.metrics().edges)) throw new ApiError(404, 'not-found', `pipeline "${id}" has no edge "${edgeId}"`);
    return streamSSE(c, async (stream) => {
      let pending: Event[] = [];
      let budget = TAP_EVENTS_PER_SECOND;
      const off = h.tap(edgeId, (events) => {
        for (const e of events) {
          if (budget <= 0) return;
          budget--;
          pending.push(e);
        }
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      try {
        let tick = 0;
        while (open && h.status() === 'running') {
          if (pending.length > 0) {
            const batch = pending;
            pending = [];
            await stream.writeSSE({ event: 'events', data: JSON.stringify(batch) });
          }
          await stream.sleep(100);
          if (++tick % 10 === 0) budget = TAP_EVENTS_PER_SECOND;
        }
      } finally {
        off();
      }
    });
  });
  return app;
}
