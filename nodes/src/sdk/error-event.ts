import type { Event } from '@sluice/shared';

/**
 * What a node's `error` port carries: the failed event with `_error` added, so a sink can keep
 * the original fields and the reason side by side.
 */
export interface ErrorInfo {
  node: string;
  message: string;
  code?: string;
}

export function errorEvent(nodeId: string, event: Event, error: unknown): Event {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const info: ErrorInfo = typeof code === 'string' ? { node: nodeId, message, code } : { node: nodeId, message };
  return { ...event, _error: info };
}
