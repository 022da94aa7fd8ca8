/**
 * `/api/pipelines/:id/pinned`: sample events pinned on source nodes (docs/pinned-samples.md).
 * GET lists them; PUT `/:node` pins events given as a JSON array, JSON Lines text, or taken
 * from the recording; DELETE unpins. What is stored is masked by the live version's privacy
 * settings first (docs/privacy.md), so a pinned sample never holds what a recording would not.
 */
import { Hono } from 'hono';
import type { PipelineDocument, StoredPipeline } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import {
  deletePinned,
  MAX_PINNED_BYTES,
  MAX_PINNED_EVENTS,
  PinnedSampleError,
  parsePinnedEvents,
  readPinned,
  writePinned,
} from '../../pinned/pinned-samples.js';
import type { RecordingStore } from '../../recording/recording-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { checkId, findPipeline } from '../lookup.js';
import { livePrivacy } from './preview.js';

function sourceNode(p: StoredPipeline, nodeId: string) {
  checkId('node', nodeId);
  const node = (p.document as PipelineDocument).nodes.find((n) => n.id === nodeId);
  if (!node) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no node "${nodeId}"`);
  if (nodeDefinitions.get(node.type)?.category !== 'source')
    throw new ApiError(400, 'not-a-source', `node "${nodeId}" is a ${node.type}: samples are pinned on source nodes`);
  return node;
}

export function pinnedRoutes(o: { store: PipelineStore; deployments: DeploymentManager; recordings: RecordingStore }): Hono {
  const app = new Hono();

  /** The privacy of the version that runs (or the saved one), as a preview masks uploads. */
  const privacyOf = (p: StoredPipeline) => o.deployments.privacyOf(p.id) ?? livePrivacy(p.document);

  app.get('/:id/pinned', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const pinned = await readPinned(p);
    return c.json({
      limits: { events: MAX_PINNED_EVENTS, bytes: MAX_PINNED_BYTES },
      sources: Object.fromEntries(Object.entries(pinned).map(([node, events]) => [node, { count: events.length, events }])),
    });
  });

  app.put('/:id/pinned/:nodeId', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const node = sourceNode(p, c.req.param('nodeId'));
    const body = await optionalJsonObject(c);
    const given = ['events', 'jsonl', 'fromRecording'].filter((k) => body[k] !== undefined);
    if (given.length !== 1)
      throw new ApiError(
        400,
        'invalid-body',
        'send one of: "events" (an array of events), "jsonl" (JSON Lines or a JSON array, as text) or "fromRecording" (how many of the last recorded events)',
      );
    let events: Record<string, unknown>[];
    try {
      if (body.fromRecording !== undefined) {
        const n = body.fromRecording;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PINNED_EVENTS)
          throw new PinnedSampleError(`"fromRecording" is how many recorded events to pin: 1 to ${MAX_PINNED_EVENTS}`);
        const recorded = (await o.recordings.read(p.id, n))[node.id] ?? [];
        if (recorded.length === 0)
          throw new ApiError(409, 'no-recording', `source "${node.id}" has recorded nothing yet: deploy the pipeline, or paste events`);
        // Recorded events are masked already.
        events = recorded.map((r) => r.e);
      } else {
        const privacy = privacyOf(p);
        events = parsePinnedEvents(body.events ?? body.jsonl).map((e) => privacy.mask(e as never) as Record<string, unknown>);
      }
      await writePinned(p, node.id, events);
    } catch (err) {
      if (err instanceof PinnedSampleError) throw new ApiError(400, 'invalid-sample', `pinned sample for "${node.id}": ${err.message}`);
      throw err;
    }
    return c.json({ node: node.id, count: events.length, events });
  });

  app.delete('/:id/pinned/:nodeId', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const node = sourceNode(p, c.req.param('nodeId'));
    await deletePinned(p, node.id);
    return c.json({ node: node.id, deleted: true });
  });

  return app;
}
