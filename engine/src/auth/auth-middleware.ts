/**
 * Every request passes here before its route: who is calling (bearer token or session cookie),
 * and whether the route policy lets that role through. 401 `unauthenticated` without a valid
 * token; 403 `forbidden` with the reason otherwise. Business users reach PUT, deploy and
 * preview only through the business guard, which compares the body with the stored document.
 */
import { MAX_DOCUMENT_DEPTH, parseBoundedJson } from '@sluice/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from '../api/errors.js';
import { PIPELINE_ID, type PipelineStore } from '../store/pipeline-store.js';
import type { Authenticator } from './authenticator.js';
import {
  type ForbiddenChange,
  forbiddenDeployParams,
  forbiddenDetails,
  forbiddenDocumentChanges,
  forbiddenMessage,
} from './business-guard.js';
import { clientAddress, setPrincipal } from './principal.js';
import { atLeast, type BusinessGuard, describeMin, normalizePath, requirementFor } from './route-policy.js';

export interface AuthMiddlewareOptions {
  auth: Authenticator;
  store: PipelineStore;
}

export function authMiddleware(o: AuthMiddlewareOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!o.auth.enabled) return next();
    const address = clientAddress(c);
    // A bearer token or a sign-in is a guess until it succeeds: an address out of failures waits.
    if (c.req.header('authorization') !== undefined || (c.req.method === 'POST' && normalizePath(c.req.path) === '/api/session')) {
      const wait = o.auth.failures.retryAfterSeconds(address);
      if (wait > 0) {
        const message = `too many failed sign-ins or bad tokens from ${address}; try again in ${wait} s`;
        return c.json(errorBody('too-many-failures', message), 429, { 'retry-after': String(wait) });
      }
    }
    const { rule, pattern } = requirementFor(c.req.method, c.req.path);
    const presented = o.auth.identify(c);
    if (presented.kind === 'ok') setPrincipal(c, presented.principal);
    if (rule.kind === 'open') return next();
    if (presented.kind !== 'ok') {
      // Session ids are 256 random bits, not guessable: a stale cookie (after a restart) is not counted.
      if (presented.kind === 'bad' && presented.via === 'bearer') o.auth.failures.fail(address);
      const message =
        presented.kind === 'bad'
          ? `the ${presented.via === 'bearer' ? 'bearer token' : 'session'} is not valid (revoked, or mistyped); sign in again`
          : 'sign in first: send Authorization: Bearer <token>, or POST /api/session { "token": ... } for a session cookie';
      return c.json(errorBody('unauthenticated', message), 401, { 'www-authenticate': 'Bearer realm="sluice"' });
    }
    const { role } = presented.principal;
    if (atLeast(role, rule.min)) return next();
    const what = `${c.req.method} ${pattern === 'default' ? c.req.path : pattern}`;
    if (rule.kind === 'guarded' && role === 'business') {
      const refusal = await businessRefusal(c, o.store, rule.guard);
      if (refusal) return refusal;
      return next();
    }
    const needs = `${describeMin(rule.min)}${rule.kind === 'guarded' ? ' (or business, for exposed values only)' : ''}`;
    const who = role === 'viewer' ? `viewers may only read; ${what} needs` : `the ${role} role may not ${what}; it needs`;
    return c.json(errorBody('forbidden', `${who} ${needs}`), 403);
  };
}

/** A 403 when the business guard refuses, else undefined (malformed bodies and unknown ids go on to the route, which answers 400/404). */
async function businessRefusal(c: Context, store: PipelineStore, guard: BusinessGuard): Promise<Response | undefined> {
  const id = /^\/api\/pipelines\/([^/]+)/.exec(normalizePath(c.req.path))?.[1];
  if (id === undefined || !PIPELINE_ID.test(id)) return undefined;
  const stored = await store.get(id);
  if (!stored) return undefined;
  // Hono caches the body text: the route reads the same bytes again.
  const text = await c.req.text();
  // Bounded like the route's own parse: a too-deep body must not reach the recursive guard.
  const parsed = text.trim() === '' ? { ok: true as const, value: {} } : parseBoundedJson(text, MAX_DOCUMENT_DEPTH);
  if (!parsed.ok) return undefined;
  const body = parsed.value;
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  let changes: ForbiddenChange[];
  if (guard === 'document-change') changes = forbiddenDocumentChanges(stored.document, body);
  else if (!isObject(body)) return undefined;
  else {
    // Deploy and preview overrides; a preview's draft may differ from the stored document only
    // where a save of theirs could (so a preview never reads what the role could not build).
    const params = isObject(body.params) ? forbiddenDeployParams(stored.document, body.params) : [];
    const draft = guard === 'preview' && body.document !== undefined ? forbiddenDocumentChanges(stored.document, body.document) : [];
    changes = [...draft, ...params];
  }
  if (changes.length === 0) return undefined;
  return c.json(errorBody('forbidden', forbiddenMessage(changes), forbiddenDetails(changes)), 403);
}
