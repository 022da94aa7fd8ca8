import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { confinePaths, isInside } from './path-confinement.js';

const doc = (configs: Record<string, unknown>[]): PipelineDocument => ({
  format: 'sluice/v1',
  nodes: configs.map((config, i) => ({ id: `n${i}`, type: 'x', config })),
  edges: [],
});

describe('path confinement', () => {
  it('isInside: the root itself and below; not a sibling that shares a prefix, not above', () => {
    expect(isInside('/data/files', '/data/files')).toBe(true);
    expect(isInside('/data/files', '/data/files/a/b.jsonl')).toBe(true);
    expect(isInside('/data/files', '/data/files2/x')).toBe(false);
    expect(isInside('/data/files', '/data/files/../pipelines/p/current.json')).toBe(false);
    expect(isInside('/data/files', '/etc/passwd')).toBe(false);
  });

  it('checks every `path` in a config, nested too, against the baseDir and the roots', () => {
    const d = doc([{ path: 'in.jsonl' }, { table: { path: '../../secrets.jsonl' } }, { path: '/etc/passwd' }, { items: [{ path: 'ok/x' }, { path: '../../up' }] }, { pathological: '/etc' }]);
    const problems = confinePaths(d, '/srv/examples/ysb', ['/srv/data/files', '/srv/examples']);
    expect(problems.map((p) => [p.nodeId, p.path, p.code])).toEqual([
      ['n1', 'config.table.path', 'path-outside'],
      ['n2', 'config.path', 'path-outside'],
      ['n3', 'config.items[1].path', 'path-outside'],
    ]);
    expect(problems[0]!.severity).toBe('error');
  });
});
