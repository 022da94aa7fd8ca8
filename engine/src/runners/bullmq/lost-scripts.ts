/**
 * Lua scripts a Redis lost (a restarted master, SCRIPT FLUSH), met inside a MULTI.
 *
 * ioredis remembers, per connection, that it has sent a script's EVAL and sends EVALSHA from
 * then on. It falls back to EVAL on NOSCRIPT only for a script command sent on its own: inside a
 * MULTI the NOSCRIPT reply comes back in EXEC's array and reaches the caller (BullMQ's addBulk)
 * as an error. A restarted Redis Cluster master causes exactly that: a MULTI retried after
 * CLUSTERDOWN or LOADING resends its EVAL as EVALSHA although the EVAL never ran, and every
 * later MULTI on that connection fails the same way. The cure is to load the client's scripts
 * into every master and try again.
 */
import { keyHolders, type RedisClient } from './redis-client.js';

/** How often a NOSCRIPT is cured and the call tried again before its error is the caller's. */
const TRIES = 3;

export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOSCRIPT');
}

/** SCRIPT LOAD every script defined on `client` (defineCommand) into every master it talks to. */
export async function loadDefinedScripts(client: RedisClient): Promise<void> {
  // scriptsSet is where ioredis keeps what defineCommand was given (public, untyped).
  const scripts = Object.values(client.scriptsSet as Record<string, { lua: string }>);
  // A master that is down keeps its error: the retried call meets it and reports it.
  await Promise.allSettled(keyHolders(client).flatMap((node) => scripts.map((s) => node.script('LOAD', s.lua))));
}

/**
 * `attempt`, tried again after loading the client's scripts when it fails with NOSCRIPT.
 * Only for calls that are safe to repeat (BullMQ jobs with fixed ids are added once).
 */
export async function retryOnLostScripts<T>(client: RedisClient, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isNoScript(err) || tried >= TRIES) throw err;
      await loadDefinedScripts(client);
    }
  }
}
