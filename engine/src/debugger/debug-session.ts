/**
 * One debug session, server side: its worker (debug-worker.ts), the gate the worker blocks on
 * while paused, the last pause or the end, and who listens (the SSE stream). A command is
 * accepted only while the session is ready or paused; it settles at the next pause or the end.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { DebugSessionStatus, DebugSessionView, Event, ParamValue, PipelineDocument } from '@sluice/shared';
import { loadedPlugins } from '../plugins/load-plugins.js';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { tsxApiForThreads, workerEntry } from '../runners/embedded/threads/thread-entry.js';
import {
  type Breakpoint,
  COMMAND_CODES,
  type DebugCommand,
  type DebugEnd,
  type DebugPause,
  type FromWorker,
  type WorkerInit,
} from './debug-protocol.js';

export type SessionStatus = DebugSessionStatus;

/** What the SSE stream sends: a pause, or the end (a session's last message). */
export type SessionMessage = { event: 'paused'; data: DebugPause } | { event: 'ended'; data: DebugEnd };

export class SessionBusyError extends Error {
  constructor(
    readonly code: 'session-running' | 'session-ended',
    message: string,
  ) {
    super(message);
  }
}

export interface SessionInput {
  pipelineId: string;
  document: PipelineDocument;
  params: Record<string, ParamValue>;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  breakpoints: Breakpoint[];
  /** Events per source batch (default 1). */
  batchSize?: number;
  /** Applied to every event shown: the paused one, window keys and aggregates, outputs (docs/privacy.md). */
  mask: (e: Event) => Event;
}

export class DebugSession {
  readonly id = randomUUID();
  readonly createdAt = Date.now();
  private status: SessionStatus = 'ready';
  private pause: DebugPause | undefined;
  private end: DebugEnd | undefined;
  private worker: Worker | undefined;
  private readonly gate = new SharedArrayBuffer(8);
  private waiting: ((m: SessionMessage) => void)[] = [];
  private readonly listeners = new Set<(m: SessionMessage) => void>();
  /** Source events the session runs on. */
  readonly events: number;

  constructor(private readonly input: SessionInput) {
    this.events = Object.values(input.events).reduce((n, l) => n + l.length, 0);
  }

  get pipelineId(): string {
    return this.input.pipelineId;
  }

  /** Starts the worker; resolves once it waits for the first command. */
  async start(): Promise<void> {
    const init: WorkerInit = {
      document: this.input.document,
      params: this.input.params,
      events: this.input.events,
      baseDir: this.input.baseDir,
      breakpoints: this.input.breakpoints,
      batchSize: this.input.batchSize ?? 1,
      gate: this.gate,
      plugins: loadedPlugins(),
      ...(tsxApiForThreads() ? { tsx: tsxApiForThreads()! } : {}),
    };
    const worker = new Worker(await workerEntry('debug-worker'), { workerData: init });
    // A session never keeps the server (or a test) alive on its own.
    worker.unref();
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') resolve();
        else if (m.t === 'paused') this.settle({ event: 'paused', data: this.masked(m.pause) });
        else if (m.t === 'ended') this.finish(this.maskedEnd(m.end));
        else if (m.t === 'failed') {
          reject(new Error(m.message));
          this.finish(this.failure(m.message));
        }
      });
      worker.on('error', (err) => {
        reject(err);
        this.finish(this.failure(err.message));
      });
      worker.on('exit', () => {
        reject(new Error('the debug worker exited before it started'));
        if (this.status !== 'ended') this.finish(this.failure('the debug worker exited'));
      });
    });
  }

  private failure(message: string): DebugEnd {
    return {
      status: 'failed',
      error: message,
      errors: {},
      outputs: {},
      progress: this.pause?.progress ?? { sourceBatches: 0, sourceEvents: 0, crossings: 0 },
      hits: this.pause?.hits ?? {},
      reason: 'failed',
    };
  }

  private masked(p: DebugPause): DebugPause {
    const mask = (e: Record<string, unknown>) => this.input.mask(e as Event) as Record<string, unknown>;
    let state = p.state;
    if (state?.type === 'window')
      state = { ...state, key: mask(state.key), panes: state.panes.map((pane) => ({ ...pane, aggregates: mask(pane.aggregates) })) };
    else if (state?.type === 'rules') state = { ...state, outputs: mask(state.outputs) };
    return { ...p, event: mask(p.event), ...(state ? { state } : {}) };
  }

  private maskedEnd(end: DebugEnd): DebugEnd {
    const outputs = Object.fromEntries(
      Object.entries(end.outputs).map(([k, v]) => [
        k,
        { count: v.count, events: v.events.map((e) => this.input.mask(e as Event) as Record<string, unknown>) },
      ]),
    );
    return { ...end, outputs };
  }

  private settle(m: SessionMessage): void {
    if (m.event === 'paused') {
      this.status = 'paused';
      this.pause = m.data;
    }
    for (const l of this.listeners) l(m);
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w(m);
  }

  private finish(end: DebugEnd): void {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.end = end;
    this.settle({ event: 'ended', data: end });
    this.listeners.clear();
    void this.worker?.terminate();
  }

  /** Run `command`; resolves at the next pause or at the end. */
  command(command: Exclude<DebugCommand, 'stop'>): Promise<SessionMessage> {
    if (this.status === 'ended') throw new SessionBusyError('session-ended', `debug session ${this.id} has ended`);
    if (this.status === 'running')
      throw new SessionBusyError('session-running', `debug session ${this.id} is running a command; wait for its pause (GET .../events)`);
    this.status = 'running';
    const next = new Promise<SessionMessage>((resolve) => this.waiting.push(resolve));
    this.send(command);
    return next;
  }

  private send(command: DebugCommand): void {
    const gate = new Int32Array(this.gate);
    Atomics.store(gate, 1, COMMAND_CODES[command]);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
  }

  /** Ends the session (the worker is woken with "stop", then terminated). */
  async stop(reason: 'stopped' | 'expired' = 'stopped'): Promise<void> {
    if (this.status === 'ended') return;
    this.send('stop');
    const progress = this.pause?.progress ?? { sourceBatches: 0, sourceEvents: 0, crossings: 0 };
    this.finish({ status: 'stopped', errors: {}, outputs: {}, progress, hits: this.pause?.hits ?? {}, reason });
    await this.worker?.terminate();
  }

  /** Told of every pause and the end; returns how to stop listening. */
  subscribe(listener: (m: SessionMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): DebugSessionView {
    return {
      id: this.id,
      pipelineId: this.input.pipelineId,
      status: this.status,
      createdAt: new Date(this.createdAt).toISOString(),
      events: this.events,
      batchSize: this.input.batchSize ?? 1,
      breakpoints: this.input.breakpoints,
      ...(this.pause && this.status !== 'ended' ? { pause: this.pause } : {}),
      ...(this.end ? { end: this.end } : {}),
    };
  }
}
