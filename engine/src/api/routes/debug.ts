/**
 * The stream debugger's API (docs/debugger.md): `POST /api/pipelines/:id/debug` opens a session
 * on the pipeline's recorded or pinned events (as a preview chooses them), and
 * `/api/debug/:session` steps it, reads it, streams its pauses (SSE) and ends it. A session is its
 * maker's: another caller (an admin aside) is told it does not exist.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BreakpointError } from '../../debugger/breakpoints.js';
import type { DebugSession, SessionMessage } from '../../debugger/debug-session.js';
import { SessionBusyError } from '../../debugger/debug-session.js';
import { DebugLimitError, type DebugSessions } from '../../debugger/debug-sessions.js';
import { prepareSession } from '../../debugger/prepare-session.js';
import { principalOf } from '../../auth/principal.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { findPipeline } from '../lookup.js';
import { answerPreviewError, type PreviewRoutesOptions, prepareSamples } from './preview.js';

const KEEPALIVE_MS = 15_000;
const COMMANDS = ['step', 'step-batch', 'run-to-hit', 'continue'] as const;

type Caller = Parameters<typeof principalOf>[0];

/** Sessions are kept by their maker's name; an admin may reach any. */
function ownerOf(c: Caller): string {
  return principalOf(c).name;
}

function sessionFor(sessions: DebugSessions, owners: WeakMap<DebugSession, string>, c: Caller & { req: { param(n: string): string } }) {
  const id = c.req.param('session');
  const s = sessions.get(id);
  const p = principalOf(c);
  if (!s || (p.role !== 'admin' && owners.get(s) !== p.name))
    throw new ApiError(404, 'not-found', `no debug session "${id}" (ended, expired or never made)`);
  return s;
}

/** Answers of the command routes: the pause it stopped at, or the end. */
const answer = (m: SessionMessage) => (m.event === 'paused' ? { status: 'paused', pause: m.data } : { status: 'ended', end: m.data });

export function debugRoutes(o: PreviewRoutesOptions & { sessions: DebugSessions }): { pipelines: Hono; sessions: Hono } {
  const owners = new WeakMap<DebugSession, string>();
  const pipelines = new Hono();

  pipelines.post('/:id/debug', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    const { draftDocument, privacy, events, samples } = await prepareSamples(o, p, body);
    let session: DebugSession;
    try {
      const input = prepareSession({
        pipelineId: p.id,
        document: draftDocument,
        ...(body.params ? { params: body.params as Record<string, unknown> } : {}),
        events,
        baseDir: p.baseDir,
        breakpoints: body.breakpoints,
        batchSize: body.batchSize,
        // Inputs were masked on the way in; what nodes add is caught by name, as in a preview.
        mask: (e) => privacy.maskByName(e),
        policy: (d) => o.deployments.policyDiagnostics(p, d),
      });
      session = await o.sessions.create(input);
    } catch (err) {
      if (err instanceof BreakpointError) throw new ApiError(400, err.code, err.message);
      if (err instanceof DebugLimitError) throw new ApiError(err.code === 'too-many-sessions' ? 429 : 413, err.code, err.message);
      return answerPreviewError(err);
    }
    owners.set(session, ownerOf(c));
    return c.json({ ...session.view(), samples, limits: o.sessions.limits }, 201);
  });

  const sessions = new Hono();
  for (const command of COMMANDS)
    sessions.post(`/:session/${command}`, async (c) => {
      const s = sessionFor(o.sessions, owners, c);
      try {
        return c.json(answer(await s.command(command)));
      } catch (err) {
        if (err instanceof SessionBusyError) throw new ApiError(409, err.code, err.message);
        throw err;
      }
    });

  sessions.get('/:session/state', (c) => c.json(sessionFor(o.sessions, owners, c).view()));

  sessions.delete('/:session', async (c) => {
    const s = sessionFor(o.sessions, owners, c);
    await o.sessions.end(s.id);
    return c.json(s.view());
  });

  sessions.get('/:session/events', (c) => {
    const s = sessionFor(o.sessions, owners, c);
    return streamSSE(c, async (stream) => {
      let open = true;
      const queue: SessionMessage[] = [];
      let wake: (() => void) | undefined;
      const off = s.subscribe((m) => {
        queue.push(m);
        wake?.();
      });
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        // Where the session is now, so a late listener knows what it missed.
        await stream.writeSSE({ event: 'state', data: JSON.stringify(s.view()) });
        let ended = s.view().status === 'ended';
        while (open && !ended) {
          const m = queue.shift();
          if (m) {
            await stream.writeSSE({ event: m.event, data: JSON.stringify(m.data) });
            ended = m.event === 'ended';
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            const t = setTimeout(resolve, KEEPALIVE_MS);
            t.unref();
          });
          wake = undefined;
          if (open && queue.length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        off();
      }
    });
  });

  return { pipelines, sessions };
}
