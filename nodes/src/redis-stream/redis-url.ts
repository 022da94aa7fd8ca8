/**
 * The Redis connection fields both stream nodes share (source.redis-stream, sink.redis-stream).
 * Browser-safe: the definitions (and so the editor) use them; `URL` is a web standard.
 */
import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { inlinePasswordProblems, secretName } from '../sdk/secrets.js';

export const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/\S+$/, 'a Redis URL starts with redis:// (or rediss:// for TLS), e.g. redis://cache:6379/0')
  .describe(
    'Redis to connect to: redis://host:port/db (rediss:// for TLS; an ACL user as redis://user@host). No password here: name a secret in passwordSecret',
  );

export const redisPasswordSecret = secretName
  .optional()
  .describe('Secret holding the Redis password (SLUICE_SECRET_<name> on the server and workers); omit when Redis has none');

export const streamKey = z.string().min(1).describe('Key of the Redis stream');

/** Where to connect, read from a checked URL. */
export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  tls: boolean;
}

/** Reads a redis:// URL; throws with the reason when it is not one we can use. */
export function parseRedisUrl(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`the scheme must be redis:// or rediss:// (got ${u.protocol}//)`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new Error(`the path is the database number (e.g. /0), not "/${path}"`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const address: RedisAddress = {
    host: u.hostname || '127.0.0.1',
    port,
    db: path === '' ? 0 : Number(path),
    tls: u.protocol === 'rediss:',
  };
  if (u.username) address.username = decodeURIComponent(u.username);
  return address;
}

/** The validator's checks of `url`: no inline password (it would be exported), and readable. */
export function redisUrlProblems(url: string): ConfigProblem[] {
  const inline = inlinePasswordProblems('url', url);
  if (inline.length > 0) return inline;
  try {
    parseRedisUrl(url);
    return [];
  } catch (err) {
    return [{ path: 'config.url', message: (err as Error).message }];
  }
}

/** The URL as messages show it (never holds a password: the validator refuses those). */
export function shownTarget(url: string, stream: string): string {
  return `stream "${stream}" at ${url}`;
}
