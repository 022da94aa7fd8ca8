import type { PipelineDocument } from '@sluice/shared';
import { useEffect, useState } from 'react';
import { ApiError, api, subscribeMetrics } from '../api/client';
import { autoLayout } from '../canvas/auto-layout';
import { useDocument } from '../stores/document-store';
import { useAlerts } from '../stores/alert-store';
import { useDebugger } from '../stores/debugger-store';
import { useMetrics } from '../stores/metrics-store';
import { useUi } from '../stores/ui-store';

const EMPTY: PipelineDocument = { format: 'sluice/v1', name: 'Untitled pipeline', nodes: [], edges: [] };

/**
 * The pipeline the address names when the app starts, asked for beside `/api/me` instead of after
 * it: one round trip less before a big graph can render. Used once; a failed one is asked again.
 */
let prefetched: { id: string; reply: ReturnType<typeof api.get> } | undefined;
export function prefetchPipeline(id: string): void {
  prefetched = { id, reply: api.get(id) };
  prefetched.reply.catch(() => undefined);
}
function takePrefetched(id: string): ReturnType<typeof api.get> {
  const early = prefetched?.id === id ? prefetched.reply : undefined;
  prefetched = undefined;
  return early ? early.catch(() => api.get(id)) : api.get(id);
}

/** A document with a node without a position (written by hand, or by a tool) opens laid out, not in one row. */
function placed(doc: PipelineDocument): PipelineDocument {
  return doc.nodes.every((n) => n.position) ? doc : autoLayout(doc);
}

/** A pipeline created from `#/new` moves to `#/p/:id` without reloading what is on the canvas. */
let justCreated: string | undefined;
export function markJustCreated(id: string): void {
  justCreated = id;
}

/**
 * Loads what the address names into the document store (a fresh empty document for `#/new`),
 * read-only for a role that may not edit; says why a load failed.
 */
export function usePipelineLoader(pipelineId: string | undefined, editable: boolean): string | undefined {
  const [loadError, setLoadError] = useState<string | undefined>(undefined);

  // Read-only before anything loads, so nothing can slip in between.
  useEffect(() => {
    useDocument.getState().setReadOnly(!editable);
    return () => useDocument.getState().setReadOnly(false);
  }, [editable]);

  useEffect(() => {
    let cancelled = false;
    setLoadError(undefined);
    if (pipelineId && justCreated === pipelineId && useDocument.getState().id === pipelineId) {
      justCreated = undefined;
      return;
    }
    useUi.getState().select(undefined);
    useMetrics.getState().reset();
    if (!pipelineId) {
      useDocument.getState().load(undefined, EMPTY);
      return;
    }
    takePrefetched(pipelineId).then(
      (r) => {
        if (cancelled) return;
        useDocument.getState().load(pipelineId, placed(r.pipeline.document));
        // Breakpoints kept in this browser on edges since deleted go without a word.
        useDebugger.getState().dropStale(
          pipelineId,
          r.pipeline.document.edges.map((e) => e.id),
        );
        useMetrics.getState().push(r.status, undefined);
      },
      (err) => {
        if (cancelled) return;
        useDocument.getState().load(undefined, EMPTY);
        setLoadError(err instanceof ApiError ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [pipelineId]);

  return loadError;
}

/** While a stored pipeline is open, follow its live metrics (the stream survives redeploys). */
export function useLiveMetrics(id: string | undefined): void {
  useEffect(() => {
    if (!id) return;
    let lastAlerts = 0;
    const unsubscribe = subscribeMetrics(id, (m) => {
      // After a run ends the stream reports "not-deployed" without numbers: the status follows
      // (as the pipelines list shows it), the last numbers stay on the canvas.
      useMetrics.getState().push(m.status, m.metrics);
      // Alert states every 2 s while it runs (the server evaluates once a second).
      const now = Date.now();
      if (m.status === 'running' && now - lastAlerts >= ALERT_POLL_MS) {
        lastAlerts = now;
        api.alerts(id).then(
          (a) => useAlerts.getState().set(a, edgeTarget),
          () => undefined, // the next message asks again
        );
      } else if (m.status !== 'running') useAlerts.getState().set(undefined, edgeTarget);
    });
    return () => {
      unsubscribe();
      useAlerts.getState().set(undefined, edgeTarget);
    };
  }, [id]);
}

const ALERT_POLL_MS = 2000;

const edgeTarget = (edgeId: string) => useDocument.getState().doc.edges.find((e) => e.id === edgeId)?.target;
