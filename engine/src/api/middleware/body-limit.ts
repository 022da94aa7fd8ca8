import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors.js';

export interface JsonBodyLimitOptions {
  /** Largest accepted body, bytes. */
  maxBytes: number;
}

/** Hono's bodyLimit, answering 413 with the API's error shape (checked before any parsing). */
export function jsonBodyLimit(o: JsonBodyLimitOptions): MiddlewareHandler {
  return bodyLimit({
    maxSize: o.maxBytes,
    onError: (c) => c.json(errorBody('too-large', `the body is larger than the limit of ${o.maxBytes} bytes`), 413),
  });
}
