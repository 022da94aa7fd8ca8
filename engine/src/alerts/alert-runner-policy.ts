/**
 * What the BullMQ runner cannot evaluate, said at save and at deploy rather than found silent
 * later: a data rule counts every event crossing its edge, and on BullMQ most edges run inside
 * worker processes; the server sees a sample of 20 events a second (remote-taps.ts), which
 * would make a share or a count wrong without saying so.
 */
import { type Diagnostic, isDataRule, type PipelineDocument } from '@sluice/shared';

export function dataRulesOnBullmq(document: PipelineDocument): Diagnostic[] {
  return (document.alerts?.rules ?? []).flatMap((r, i) =>
    isDataRule(r)
      ? [
          {
            severity: 'error' as const,
            code: 'alert-rule',
            path: `alerts.rules[${i}].when`,
            message: `${r.when} counts every event crossing an edge, which this server can do only for pipelines on the embedded runner; on BullMQ its edges run in the workers (docs/alerts.md, "Data rules"). Use a branch into a window and a sink in the graph instead`,
          },
        ]
      : [],
  );
}
