/** The live progress line: fitted to the terminal, sinks show what they were given. */
import { describe, expect, it } from 'vitest';
import type { NodeMetrics, PipelineDocument, PipelineMetrics } from '@sluice/shared';
import { formatProgress, progressCounts } from './progress.js';

const doc: PipelineDocument = {
  format: 'sluice/v1',
  nodes: [
    { id: 'source', type: 'source.file', config: { path: 'in.jsonl' } },
    { id: 'flagged', type: 'filter', config: { expression: 'flag' } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'a', source: 'source', target: 'flagged' },
    { id: 'b', source: 'flagged', target: 'out' },
  ],
};

function node(c: Partial<NodeMetrics>): NodeMetrics {
  return { in: 0, out: 0, errors: 0, late: 0, dropped: 0, batches: 0, busyMs: 0, batchP50Ms: 0, batchP99Ms: 0, ...c };
}

function metrics(nodes: Record<string, NodeMetrics>): PipelineMetrics {
  return { at: 2000, status: 'completed', startedAt: 1000, nodes, edges: {}, stages: {}, sinks: {} };
}

const counts = [
  { id: 'source', count: 5000, errors: 0 },
  { id: 'flagged', count: 3000, errors: 12 },
  { id: 'out', count: 2990, errors: 0 },
];

describe('progress line', () => {
  it('a sink shows what it was given (its out is always 0); other nodes what they passed on, and their errors', () => {
    const m = metrics({
      source: node({ out: 5000, in: 5000 }),
      flagged: node({ in: 5000, out: 3000, errors: 12 }),
      out: node({ in: 2990 }),
    });
    expect(progressCounts(doc, m)).toEqual(counts);
  });

  it('fits the width: whole when it fits, then without separators, then shorter ids, then the last nodes as +N', () => {
    // 57 characters whole; the last column is left free.
    expect(formatProgress(1234, counts, 58)).toBe('1234 ev/s  source 5000 | flagged 3000 (12 err) | out 2990');
    expect(formatProgress(1234, counts, 57)).toBe('1234 ev/s  source 5000  flagged 3000 (12 err)  out 2990');
    expect(formatProgress(1234, counts, 55)).toBe('1234 ev/s  source 5000  flagg… 3000 (12 err)  out 2990');
    // Even 4-character ids need 50: the last node goes instead, ids whole again.
    expect(formatProgress(1234, counts, 50)).toBe('1234 ev/s  source 5000  flagged 3000 (12 err)  +1');
    expect(formatProgress(1234, counts, 12)).toBe('1234 ev/s');
  });

  it('is as wide as a wide terminal allows, not cut at 80 columns', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ id: `node_${i}`, count: 12_345, errors: 0 }));
    const line = formatProgress(25_000, many, 200);
    expect(line).toBe(`25.0k ev/s  ${many.map((n) => `${n.id} 12.3k`).join(' | ')}`);
    // 10 + 2 + 8 × 12 + 7 × 3 = 129 columns, more than 80.
    expect(line.length).toBe(129);
  });
});
