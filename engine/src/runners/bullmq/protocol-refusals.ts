/**
 * Codes of the TaskHost's refusals that are part of the protocol (task-host.ts): the batch is
 * retried by design (later, elsewhere, or against fresh state), so they are not worth a log line.
 */
export const PROTOCOL_REFUSALS: ReadonlySet<string> = new Set(['out-of-order', 'stale-task', 'stale-generation', 'claim-pending']);
