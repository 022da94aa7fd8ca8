import { tempFolders } from '../../sdk/testing/temp-folders.js';
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { type SinkOperator, startOwned } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { sinkFileDefinition } from './definition.js';
import { sinkFileOperator } from './operator.js';

const sinkDir = tempFolders('sluice-sink-');

function sink(dir: string, config: Record<string, unknown>): SinkOperator {
  const op = sinkFileOperator(testContext({ config: sinkFileDefinition.config.parse(config), baseDir: dir })) as SinkOperator;
  startOwned(op); // as the runtime does for an operator that starts fresh in a task it owns alone
  return op;
}

const col = recordingCollector('node', () => true);

describe('sink.file', () => {
  it('writes one JSON line per event (fields only), creating folders, and appends by default', () => {
    const dir = sinkDir();
    const s = sink(dir, { path: 'out/nested/result.jsonl' });
    s.process([Object.freeze({ a: 1, s: 'x\ny', [EVENT_TIME]: 5 }) as Event, { b: [1, { c: null }] }], col, 'in');
    s.process([{ é: '漢字' }], col, 'in');
    s.close!();
    const again = sink(dir, { path: 'out/nested/result.jsonl' });
    again.process([{ a: 2 }], col, 'in');
    again.close!();
    expect(readFileSync(join(dir, 'out/nested/result.jsonl'), 'utf8')).toBe(
      '{"a":1,"s":"x\\ny"}\n{"b":[1,{"c":null}]}\n{"é":"漢字"}\n{"a":2}\n',
    );
  });

  it('empties the file at start with mode overwrite, and flushes on demand', () => {
    const dir = sinkDir();
    writeFileSync(join(dir, 'r.jsonl'), 'old\n');
    const s = sink(dir, { path: 'r.jsonl', mode: 'overwrite' });
    expect(readFileSync(join(dir, 'r.jsonl'), 'utf8')).toBe('');
    s.process([{ n: 1 }], col, 'in');
    s.flush!();
    expect(readFileSync(join(dir, 'r.jsonl'), 'utf8')).toBe('{"n":1}\n');
    s.close!();
    s.close!();
  });

  it('writes large outputs in chunks without losing or reordering lines', () => {
    const dir = sinkDir();
    const s = sink(dir, { path: 'big.jsonl' });
    for (let b = 0; b < 50; b++)
      s.process(
        Array.from({ length: 1000 }, (_, i) => ({ i: b * 1000 + i, pad: 'x'.repeat(20) })),
        col,
        'in',
      );
    s.close!();
    const lines = readFileSync(join(dir, 'big.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(50_000);
    expect(lines.every((l, i) => JSON.parse(l).i === i)).toBe(true);
  });

  it('fails clearly when the file cannot be opened', () => {
    const dir = sinkDir();
    writeFileSync(join(dir, 'file'), '');
    expect(() => sink(dir, { path: 'file/under-a-file.jsonl' })).toThrow(/cannot open file\/under-a-file\.jsonl for writing/);
  });

  it('is a sink with one input and no outputs', () => {
    const c = sinkFileDefinition.config.parse({ path: 'x.jsonl' });
    expect(c).toEqual({ path: 'x.jsonl', format: 'jsonl', mode: 'append' });
    expect(sinkFileDefinition.outputs(c)).toEqual([]);
    expect(sinkFileDefinition.config.safeParse(sinkFileDefinition.example).success).toBe(true);
  });

  it('after a restore, writes the batch again at the committed length (a batch written but never committed is not repeated)', () => {
    const dir = sinkDir();
    const ctx = testContext({ config: sinkFileDefinition.config.parse({ path: 'r.jsonl', mode: 'overwrite' }), baseDir: dir });
    const first = sinkFileOperator(ctx) as SinkOperator;
    first.onStart?.();
    first.process([{ n: 1 }], col, 'in');
    first.flush!();
    const committed = ctx.stateRegistry.snapshot();
    first.process([{ n: 2 }], col, 'in'); // written, then the process dies before committing
    first.flush!();
    first.close!();
    const ctx2 = testContext({ config: sinkFileDefinition.config.parse({ path: 'r.jsonl', mode: 'overwrite' }), baseDir: dir });
    const second = sinkFileOperator(ctx2) as SinkOperator;
    ctx2.stateRegistry.restore(committed);
    second.onRestore!();
    second.process([{ n: 2 }], col, 'in');
    second.close!();
    expect(readFileSync(join(dir, 'r.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('a late write of a stale copy lands on the same bytes, and input end cuts a leftover tail', () => {
    const dir = sinkDir();
    const config = sinkFileDefinition.config.parse({ path: 'f.jsonl', mode: 'overwrite' });
    const a = testContext({ config, baseDir: dir });
    const current = sinkFileOperator(a) as SinkOperator;
    current.onStart?.();
    const atStart = a.stateRegistry.snapshot();
    // A stale worker restored at the same committed state, paused, then woken after the current one went on.
    const b = testContext({ config, baseDir: dir });
    const stale = sinkFileOperator(b) as SinkOperator;
    b.stateRegistry.restore(atStart);
    stale.onRestore!();
    current.process([{ n: 1 }], col, 'in');
    current.flush!();
    current.process([{ n: 2 }], col, 'in');
    current.flush!();
    stale.process([{ n: 1 }], col, 'in');
    stale.flush!(); // the same batch, late: same bytes at the same offset
    expect(readFileSync(join(dir, 'f.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    stale.close!();
    // An uncommitted longer batch left a tail: cut when the input ends.
    writeFileSync(join(dir, 'f.jsonl'), '{"n":1}\n{"n":2}\n{"leftover":true}\n');
    current.onWatermark!(Number.POSITIVE_INFINITY, col);
    current.close!();
    expect(readFileSync(join(dir, 'f.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  describe('overwrite mode where several processes may start the task (BullMQ)', () => {
    const config = sinkFileDefinition.config.parse({ path: 'o.jsonl', mode: 'overwrite' });
    const fresh = (dir: string) => {
      const ctx = testContext({ config, baseDir: dir });
      return { ctx, op: sinkFileOperator(ctx) as SinkOperator };
    };

    it('a start replaces the old file only once it is committed, and an uncommitted start leaves nothing', () => {
      const dir = sinkDir();
      writeFileSync(join(dir, 'o.jsonl'), 'old\n');
      const a = fresh(dir);
      a.op.onStart!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('old\n'); // not before its commit
      a.op.onStartSettled!(false); // another process's start was committed
      a.op.close!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('old\n');
      expect(readdirSync(dir)).toEqual(['o.jsonl']);
      const b = fresh(dir);
      b.op.onStart!();
      b.op.onStartSettled!(true);
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('');
      b.op.close!();
      expect(readdirSync(dir)).toEqual(['o.jsonl']);
    });

    it('a late start (paused between reading no state and starting) does not empty what the committed one wrote', () => {
      const dir = sinkDir();
      writeFileSync(join(dir, 'o.jsonl'), 'old\n');
      const current = fresh(dir);
      current.op.onStart!();
      current.op.onStartSettled!(true);
      current.op.process([{ n: 1 }], col, 'in');
      current.op.flush!();
      const late = fresh(dir);
      late.op.onStart!(); // the old code emptied the file here
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('{"n":1}\n');
      late.op.onStartSettled!(false);
      late.op.close!();
      current.op.process([{ n: 2 }], col, 'in');
      current.op.onWatermark!(Number.POSITIVE_INFINITY, col);
      current.op.close!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
      expect(readdirSync(dir)).toEqual(['o.jsonl']);
    });

    it('a start committed but paused before it replaced the file: whoever restores replaces it, and the late replace does nothing', () => {
      const dir = sinkDir();
      writeFileSync(join(dir, 'o.jsonl'), 'old\n');
      const paused = fresh(dir);
      paused.op.onStart!();
      const committed = paused.ctx.stateRegistry.snapshot();
      const next = fresh(dir);
      next.ctx.stateRegistry.restore(committed);
      next.op.onRestore!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('');
      next.op.process([{ n: 1 }], col, 'in');
      next.op.flush!();
      paused.op.onStartSettled!(true); // wakes: its staged file is gone, and the path is that file
      paused.op.close!();
      next.op.close!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('{"n":1}\n');
      expect(readdirSync(dir)).toEqual(['o.jsonl']);
    });

    it("fails on restore when the committed start's new file is gone and the path holds another", () => {
      const dir = sinkDir();
      writeFileSync(join(dir, 'o.jsonl'), 'old\n');
      const a = fresh(dir);
      a.op.onStart!();
      const committed = a.ctx.stateRegistry.snapshot();
      a.op.close!(); // neither settled: its staged file stays, for whoever restores it
      const staged = readdirSync(dir).find((f) => f.startsWith('.o.jsonl.sluice-'))!;
      expect(staged).toBeDefined();
      unlinkSync(join(dir, staged)); // removed by hand
      const b = fresh(dir);
      b.ctx.stateRegistry.restore(committed);
      expect(() => b.op.onRestore!()).toThrow(/o\.jsonl was removed or replaced while the pipeline wrote it/);
      b.op.close!();
      expect(readFileSync(join(dir, 'o.jsonl'), 'utf8')).toBe('old\n');
    });
  });

  it('fails at input end when the file holds less than was committed (something truncated it)', () => {
    const dir = sinkDir();
    const op = sink(dir, { path: 't.jsonl' });
    op.process([{ n: 1 }, { n: 2 }], col, 'in');
    op.flush!();
    writeFileSync(join(dir, 't.jsonl'), '{"n":1}\n');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(() => op.flush!()).toThrow(/holds 8 bytes but 16 were written and committed/);
  });
});
