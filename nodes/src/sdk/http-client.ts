/**
 * HTTP delivery for the server and for connectors: one request through the SSRF guard, and
 * the retry waits. Server-side only (Node built-ins): not part of the browser-safe sdk index.
 */
export { type Answer, fullJitter, parseRetryAfter, sendRequest } from './http-request.js';
export { ALLOW_ENV as HTTP_ALLOW_ENV, parseAllowList, type TargetGuard, TargetRefused, targetGuard } from './target-guard.js';
