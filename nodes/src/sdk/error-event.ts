import type { Event, EventSchema } from '@sluice/shared';

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
  const code = errorCode(error);
  const info: ErrorInfo = code !== undefined ? { node: nodeId, message, code } : { node: nodeId, message };
  return { ...event, _error: info };
}

/**
 * A failure caused by the event being processed, not by the node or its resources: an
 * expression's type error (`expr-eval`), and what JavaScript throws on values it cannot handle,
 * a RangeError (stack overflow on a deeply nested value, a text or list too long) or a
 * TypeError (a value of the wrong kind). Operators route these to the error port and go on;
 * anything else fails the run (a bug, a broken resource).
 */
export function isEventFailure(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'expr-eval' || err instanceof RangeError || err instanceof TypeError;
}

/** The schema of a node's `error` port: the failed input with `_error` added. */
export function errorPortSchema(input: EventSchema): EventSchema {
  return { fields: { ...input.fields, _error: 'object', '_error.node': 'string', '_error.message': 'string' }, open: input.open };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  if (error instanceof RangeError) return 'event-too-large';
  if (error instanceof TypeError) return 'event-type-error';
  return undefined;
}
