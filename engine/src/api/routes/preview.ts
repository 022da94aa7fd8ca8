/**
 * `/api/pipelines/:id/recording` (what the live pipeline has recorded of its sources) and
 * `/api/pipelines/:id/preview` (a draft against the live version on those events, or on an
 * uploaded sample). See docs/preview.md.
 */
import { Hono } from 'hono';
import { MAX_RECORD_DEPTH, NODE_ID, type PipelineDocument, parseTime, valueDepth } from '@sluice/shared';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { debugRun } from '../../preview/debug-run.js';
import { PreviewError, runPreview } from '../../preview/preview.js';
import { chooseSamples, type SampleOrigin } from '../../preview/sample-events.js';
import { readPinned } from '../../pinned/pinned-samples.js';
import { type PipelinePrivacy, pipelinePrivacy } from '../../privacy/pipeline-privacy.js';
import type { RecordedEvent } from '../../recording/recorded-event.js';
import type { RecordingStore } from '../../recording/recording-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { StoredPipeline } from '@sluice/shared';
import { ApiError, optionalJsonObject } from '../errors.js';
import { findPipeline } from '../lookup.js';

const PREVIEW_STATUS = { 'invalid-document': 422, 'invalid-live': 409, 'no-recording': 409 } as const;
/** Events per source a preview reads from the recording by default. */
const DEFAULT_LIMIT = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The sources' own rule (epoch ms or ISO 8601, no offset meaning UTC), so a preview times events as a run would.
const timeOf = parseTime;

/** An uploaded sample: `{ sourceNodeId: [event, ...] }`, timed by each source's `timeField`. */
export function uploadedEvents(document: PipelineDocument, raw: unknown): Record<string, RecordedEvent[]> {
  if (!isObject(raw)) throw new ApiError(400, 'invalid-body', '"events" must be an object: { "<source node id>": [ { ...event }, ... ] }');
  const out: Record<string, RecordedEvent[]> = {};
  for (const [nodeId, list] of Object.entries(raw)) {
    const node = document.nodes.find((n) => n.id === nodeId);
    if (!node) throw new ApiError(400, 'invalid-body', `events.${nodeId}: the document has no node "${nodeId}"`);
    if (!Array.isArray(list)) throw new ApiError(400, 'invalid-body', `events.${nodeId}: expected an array of events`);
    const timeField = (node.config as { timeField?: unknown }).timeField;
    out[nodeId] = list.map((e, i) => {
      if (!isObject(e)) throw new ApiError(400, 'invalid-body', `events.${nodeId}[${i}]: an event is a JSON object`);
      // The body passed the document limit; an event must also pass a record's, as at ingest.
      if (valueDepth(e, MAX_RECORD_DEPTH) > MAX_RECORD_DEPTH)
        throw new ApiError(
          400,
          'too-deep',
          `events.${nodeId}[${i}]: the event nests deeper than ${MAX_RECORD_DEPTH} levels, the limit for a record`,
        );
      const t = typeof timeField === 'string' ? timeOf(e[timeField]) : undefined;
      return t === undefined ? { e } : { e, t };
    });
  }
  return out;
}

/** A pipeline not running here: its live document's settings, an unset hmac key redacting. */
export function livePrivacy(document: unknown): PipelinePrivacy {
  const privacy = isObject(document) ? (document as Pick<PipelineDocument, 'privacy'>) : {};
  try {
    return pipelinePrivacy(privacy, { missingSecret: 'redact' });
  } catch {
    return pipelinePrivacy({});
  }
}

/** An uploaded sample is masked on arrival, as recorded events were when recorded. */
function maskUploaded(events: Record<string, RecordedEvent[]>, privacy: PipelinePrivacy): Record<string, RecordedEvent[]> {
  return Object.fromEntries(
    Object.entries(events).map(([node, list]) => [node, list.map((r) => ({ ...r, e: privacy.mask(r.e as never) }))]),
  );
}

/** A PreviewError as the API answers it (422 invalid draft, 409 nothing to run on). */
export function answerPreviewError(err: unknown): never {
  if (err instanceof PreviewError)
    throw new ApiError(PREVIEW_STATUS[err.code], err.code, err.message, err.diagnostics.length > 0 ? err.diagnostics : undefined);
  throw err;
}

export interface PreviewRoutesOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  recordings: RecordingStore;
}

/** The live document and its privacy, the draft, and the events to run on (docs/preview.md "Samples"). */
export async function prepareSamples(o: PreviewRoutesOptions, p: StoredPipeline, body: Record<string, unknown>) {
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > o.recordings.capacity)
    throw new ApiError(400, 'invalid-body', `"limit" must be a whole number from 1 to ${o.recordings.capacity}`);
  if (body.params !== undefined && !isObject(body.params))
    throw new ApiError(400, 'invalid-body', '"params" must be an object: { "name": value }');
  if (body.sample !== undefined && body.sample !== 'recording' && body.sample !== 'pinned')
    throw new ApiError(
      400,
      'invalid-body',
      '"sample" is "recording" (the default: pinned events only where nothing is recorded) or "pinned"',
    );
  const draftDocument = body.document ?? p.document;
  if (!isObject(draftDocument)) throw new ApiError(400, 'invalid-body', '"document" must be a pipeline document');
  const draftShape = Array.isArray((draftDocument as { nodes?: unknown }).nodes)
    ? (draftDocument as unknown as PipelineDocument)
    : p.document;

  const deployment = await o.store.getDeployment(p.id);
  const liveDocument = deployment ? ((await o.store.getVersion(p.id, deployment.version)) ?? p.document) : p.document;
  // The live version's privacy (docs/privacy.md), never the draft's: a draft cannot reveal.
  const privacy = o.deployments.privacyOf(p.id) ?? livePrivacy(liveDocument);
  let events: Record<string, RecordedEvent[]>;
  let samples: Record<string, SampleOrigin | 'uploaded'>;
  if (body.events !== undefined) {
    events = maskUploaded(uploadedEvents(draftShape, body.events), privacy);
    samples = Object.fromEntries(Object.keys(events).map((k) => [k, 'uploaded' as const]));
  } else {
    const chosen = await chooseSamples({
      document: draftShape,
      recorded: await o.recordings.read(p.id, limit),
      pinned: await readPinned(p),
      mask: (e) => privacy.mask(e),
      ...(body.sample === 'pinned' ? { prefer: 'pinned' as const } : {}),
    });
    events = chosen.events;
    samples = chosen.origins;
  }
  return { draftDocument, liveDocument, deployment, privacy, events, samples };
}

export function previewRoutes(o: PreviewRoutesOptions): Hono {
  const app = new Hono();

  app.get('/:id/recording', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json(await o.recordings.stats(p.id));
  });

  app.post('/:id/preview', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    const { draftDocument, liveDocument, deployment, privacy, events, samples } = await prepareSamples(o, p, body);
    try {
      const result = await runPreview({
        live: { document: liveDocument, params: deployment?.params ?? {}, version: deployment?.version ?? null },
        draft: { document: draftDocument, ...(body.params ? { params: body.params as Record<string, unknown> } : {}) },
        events,
        maskOutput: (e) => privacy.maskByName(e),
        baseDir: p.baseDir,
        policy: (d) => o.deployments.policyDiagnostics(p, d),
      });
      return c.json({ ...result, samples });
    } catch (err) {
      return answerPreviewError(err);
    }
  });

  // The debug panel on a preview run, and a node's "Run to here" (docs/preview.md "Debug run").
  app.post('/:id/preview/debug', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    if (body.until !== undefined && (typeof body.until !== 'string' || !NODE_ID.test(body.until)))
      throw new ApiError(400, 'invalid-body', '"until" is a node id: [A-Za-z0-9_-]{1,64}');
    const { draftDocument, privacy, events, samples } = await prepareSamples(o, p, body);
    try {
      const result = await debugRun({
        document: draftDocument,
        ...(body.params ? { params: body.params as Record<string, unknown> } : {}),
        events,
        baseDir: p.baseDir,
        ...(typeof body.until === 'string' ? { until: body.until } : {}),
        // Inputs were masked on the way in; what nodes add is caught by name, as in a preview.
        mask: (e) => privacy.maskByName(e),
        policy: (d) => o.deployments.policyDiagnostics(p, d),
      });
      const sources = Object.fromEntries(Object.entries(events).map(([k, v]) => [k, v.length]));
      return c.json({ ...result, samples, sources });
    } catch (err) {
      return answerPreviewError(err);
    }
  });

  return app;
}
