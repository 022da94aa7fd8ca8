/**
 * One polled source batch through its source stage, the same on every runner: bad records to
 * the source's error port, its events counted and routed down the chained operators, and the
 * source channel's watermark advanced (to the end of input when the source is done).
 * `onEvents` (the server's recorder) must copy what it keeps: an owned batch (SourceBatch.owned)
 * is changed in place downstream.
 */
import type { Event } from '@sluice/shared';
import type { SourceBatch } from '@sluice/nodes/sdk';
import type { NodeInstance } from './node-instance.js';
import { SOURCE_CHANNEL, type Task } from './task.js';

export function routeSourceBatch(instance: NodeInstance, task: Task, batch: SourceBatch, onEvents?: (events: Event[]) => void): void {
  for (const bad of batch.errors ?? []) instance.error(bad.event, bad.error);
  if (batch.errors?.length) instance.flush();
  if (batch.events.length > 0) {
    onEvents?.(batch.events);
    instance.emitSourceBatch(batch.events, batch.shallow === true, batch.owned === true);
  }
  task.advance(SOURCE_CHANNEL, batch.done ? Number.POSITIVE_INFINITY : batch.watermark);
}
