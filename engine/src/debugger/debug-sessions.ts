/**
 * The server's debug sessions and their limits (docs/debugger.md): how many at once (each is a
 * worker thread holding its events), how long an untouched one lives, how many source events
 * one may run on. A session past its idle time is stopped and forgotten.
 */
import { DebugSession, type SessionInput } from './debug-session.js';

export interface DebugLimits {
  /** Sessions at once on this server (default 4). */
  maxSessions: number;
  /** A session no one touched for this long is ended (ms, default 10 minutes). */
  idleMs: number;
  /** Source events one session may run on (default 10,000, a recording's size). */
  maxEvents: number;
}

export const DEBUG_DEFAULTS: DebugLimits = { maxSessions: 4, idleMs: 10 * 60_000, maxEvents: 10_000 };

export class DebugLimitError extends Error {
  constructor(
    readonly code: 'too-many-sessions' | 'too-many-events',
    message: string,
  ) {
    super(message);
  }
}

export class DebugSessions {
  readonly limits: DebugLimits;
  private readonly sessions = new Map<string, { session: DebugSession; timer?: NodeJS.Timeout }>();

  constructor(limits: Partial<DebugLimits> = {}) {
    this.limits = { ...DEBUG_DEFAULTS, ...limits };
  }

  async create(input: SessionInput): Promise<DebugSession> {
    const total = Object.values(input.events).reduce((n, l) => n + l.length, 0);
    if (total > this.limits.maxEvents)
      throw new DebugLimitError(
        'too-many-events',
        `the sources have ${total} events, more than the ${this.limits.maxEvents} a debug session runs on; pass a smaller "limit" (events per source)`,
      );
    if (this.sessions.size >= this.limits.maxSessions)
      throw new DebugLimitError(
        'too-many-sessions',
        `${this.sessions.size} debug sessions are open, the most this server keeps; end one (DELETE /api/debug/:session) or wait for one to expire`,
      );
    const session = new DebugSession(input);
    // Counted before it starts, so two requests at once cannot both take the last place.
    const entry: { session: DebugSession; timer?: NodeJS.Timeout } = { session };
    this.sessions.set(session.id, entry);
    try {
      await session.start();
    } catch (err) {
      await this.end(session.id);
      throw err;
    }
    // Idle from now: starting (bundling the worker on a busy machine) is not idleness.
    entry.timer = this.expiry(session);
    return session;
  }

  private expiry(session: DebugSession): NodeJS.Timeout {
    const timer = setTimeout(() => void this.end(session.id, 'expired'), this.limits.idleMs);
    timer.unref();
    return timer;
  }

  /** The session, its idle time started again; undefined when unknown or expired. */
  get(id: string): DebugSession | undefined {
    const entry = this.sessions.get(id);
    if (!entry?.timer) return undefined;
    clearTimeout(entry.timer);
    entry.timer = this.expiry(entry.session);
    return entry.session;
  }

  async end(id: string, reason: 'stopped' | 'expired' = 'stopped'): Promise<boolean> {
    const entry = this.sessions.get(id);
    if (!entry) return false;
    this.sessions.delete(id);
    clearTimeout(entry.timer);
    await entry.session.stop(reason);
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id)));
  }
}
