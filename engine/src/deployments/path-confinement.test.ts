import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineDocument } from '@sluice/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { confinedPath, confinePaths, isInside, PathRefused, realPathOf } from './path-confinement.js';

const tmp = mkdtempSync(join(tmpdir(), 'sluice-confine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
    const d = doc([
      { path: 'in.jsonl' },
      { table: { path: '../../secrets.jsonl' } },
      { path: '/etc/passwd' },
      { items: [{ path: 'ok/x' }, { path: '../../up' }] },
      { pathological: '/etc' },
    ]);
    const problems = confinePaths(d, '/srv/examples/ysb', ['/srv/data/files', '/srv/examples']);
    expect(problems.map((p) => [p.nodeId, p.path, p.code])).toEqual([
      ['n1', 'config.table.path', 'path-outside'],
      ['n2', 'config.path', 'path-outside'],
      ['n3', 'config.items[1].path', 'path-outside'],
    ]);
    expect(problems[0]!.severity).toBe('error');
  });

  it('follows symbolic links: a link inside the root that leads outside is refused, also for a file not yet there', () => {
    const files = join(tmp, 'data', 'files');
    mkdirSync(files, { recursive: true });
    mkdirSync(join(tmp, 'outside'));
    symlinkSync(join(tmp, 'outside'), join(files, 'escape'));
    symlinkSync(join(tmp, 'data', 'tokens.json'), join(files, 'tokens-link.json'));
    expect(realPathOf(join(files, 'escape', 'new', 'x.jsonl'))).toBe(join(realPathOf(tmp), 'outside', 'new', 'x.jsonl'));
    expect(confinedPath('out/x.jsonl', files, [files])).toBe(join(files, 'out/x.jsonl'));
    for (const p of ['escape/new/x.jsonl', 'tokens-link.json', '../tokens.json', '/etc/passwd']) {
      expect(() => confinedPath(p, files, [files]), p).toThrow(expect.objectContaining({ code: 'path-outside' }));
    }
    expect(() => confinedPath('escape/x', files, [files])).toThrow(/through a symbolic link/);
  });

  it('a NUL byte is refused by name, with or without roots', () => {
    expect(() => confinedPath('a\0.jsonl', tmp)).toThrow(PathRefused);
    expect(() => confinedPath('a\0.jsonl', tmp, [tmp])).toThrow('holds a NUL byte');
    expect(confinePaths(doc([{ path: 'x\0y' }]), tmp, [tmp]).map((d) => d.code)).toEqual(['path-nul']);
  });
});
