/**
 * The shared operator build, through the embedded runner: a node that cannot start fails the
 * build with one StartFailure naming it, the operators already created are closed again, and
 * no fresh operator has started (onStart may empty a file).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operator } from '@sluice/nodes/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { compiled } from '../runners/runner.contract.js';
import { StartFailure } from './node-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-build-'));
mkdirSync(join(dir, 'taken.jsonl')); // a folder where the second sink wants its file
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = {
  format: 'sluice/v1',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1 } },
    { id: 'first', type: 'sink.file', config: { path: 'first.jsonl' } },
    { id: 'second', type: 'sink.file', config: { path: 'taken.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'first' },
    { id: 'e2', source: 'gen', target: 'second' },
  ],
};

describe('operator build', () => {
  it('closes what it created and starts nothing when a later node cannot start', async () => {
    const seen: string[] = [];
    const first: Operator = {
      process: () => undefined,
      onStart: () => seen.push('start'),
      close: () => {
        seen.push('close');
      },
    };
    const err = await new EmbeddedRunner()
      .deploy(compiled(doc), { baseDir: dir, operatorOverrides: { first: () => first } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartFailure);
    expect(err).toMatchObject({ nodeId: 'second' });
    expect((err as Error).message).toMatch(/^second: cannot open taken\.jsonl for writing: EISDIR/);
    expect(seen).toEqual(['close']);
  });
});
