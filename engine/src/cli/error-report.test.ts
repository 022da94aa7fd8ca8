/** The end-of-run error report of `sluice run`: per node with errors, its messages with counts. */
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeMetrics, PipelineDocument, PipelineMetrics } from '@sluice/shared';
import { formatErrorReport } from './error-report.js';

afterEach(() => {
  delete process.env.SLUICE_SECRET_REPORT_TEST;
});

// The report reads node ids and order only.
const doc: PipelineDocument = {
  format: 'sluice/v1',
  nodes: ['source', 'flagged', 'out'].map((id) => ({ id, type: 'filter', config: {} })),
  edges: [],
};

function node(errors: number): NodeMetrics {
  return { in: 0, out: 0, errors, late: 0, dropped: 0, batches: 0, busyMs: 0, batchP50Ms: 0, batchP99Ms: 0 };
}

function metrics(nodes: Record<string, NodeMetrics>): PipelineMetrics {
  return { at: 2000, status: 'completed', startedAt: 1000, nodes, edges: {}, stages: {}, sinks: {} };
}

describe('error report', () => {
  it('per node with errors: its messages with counts, then the errors whose messages were not kept', () => {
    const m = metrics({ source: node(0), flagged: node(12), out: node(1) });
    const report = formatErrorReport(doc, m, {
      flagged: [
        { message: 'the filter expression gave number 1, not true or false', count: 8 },
        { message: 'the filter expression gave the string "yes", not true or false', count: 3 },
      ],
    });
    expect(report).toBe(
      [
        'flagged: 12 errors',
        '  8 × the filter expression gave number 1, not true or false',
        '  3 × the filter expression gave the string "yes", not true or false',
        '  1 × with other messages',
        'out: 1 error',
        '  1 × messages not kept',
        '',
      ].join('\n'),
    );
  });

  it('says nothing when no node has errors, and masks a secret in a message', () => {
    expect(formatErrorReport(doc, metrics({ flagged: node(0) }), {})).toBe('');
    process.env.SLUICE_SECRET_REPORT_TEST = 'canary-value-1';
    const report = formatErrorReport(doc, metrics({ flagged: node(1) }), {
      flagged: [{ message: 'no access with canary-value-1', count: 1 }],
    });
    expect(report).toBe('flagged: 1 error\n  1 × no access with ***\n');
  });
});
