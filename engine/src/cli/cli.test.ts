/**
 * The CLI as a user runs it: a real process, exit codes, --param, and what it prints.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cliDir = tempFolders('sluice-cli-');

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function sluice(...args: string[]) {
  return sluiceWith({}, ...args);
}

function sluiceWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(doc: unknown, files: Record<string, string> = {}): string {
  const dir = cliDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'graph.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return join(dir, 'graph.json');
}

const thresholdDoc = {
  format: 'sluice/v1',
  params: { min_amount: { type: 'number', value: 10, min: 0, max: 1000 } },
  nodes: [
    { id: 'src', type: 'source.file', config: { path: 'in.jsonl' } },
    { id: 'big', type: 'filter', config: { expression: 'amount >= params.min_amount' } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl', mode: 'overwrite' } },
  ],
  edges: [
    { id: 'a', source: 'src', target: 'big' },
    { id: 'b', source: 'big', target: 'out' },
  ],
};
const amounts = [5, 10, 20, 50].map((amount) => JSON.stringify({ amount })).join('\n');

// Each case starts the CLI (Node + tsx) one or more times: seconds each on a loaded 2-core machine.
describe('sluice CLI', { timeout: 180_000 }, () => {
  it('check: one line per connector node, exit 0 when all reach what they name, 1 naming the one that does not', () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const doc = (url: string) => ({
      format: 'sluice/v1',
      nodes: [
        { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 1 } },
        { id: 'feed', type: 'sink.redis-stream', config: { url, stream: 'sluice-cli-check-never-written' } },
      ],
      edges: [{ id: 'e', source: 'gen', target: 'feed' }],
    });
    const ok = sluice('check', write(doc(redisUrl)));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(
      `✓ feed: connected to ${redisUrl}; stream sluice-cli-check-never-written does not exist yet: the first write creates it`,
    );
    const down = sluice('check', write(doc('redis://127.0.0.1:1/0')));
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^✗ feed: .*redis:\/\/127\.0\.0\.1:1\/0/);
    expect(down.stderr).toContain('1 of 1 connection failed');
    expect(sluice('check', write(doc(redisUrl)), '--node', 'nope').code).toBe(2);
  });

  it('validate: exit 0 and "valid" for a good document', () => {
    const r = sluice('validate', write(thresholdDoc, { 'in.jsonl': amounts }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it('validate: exit 2 and every error, one a line, each naming node and path', () => {
    const bad = {
      format: 'sluice/v1',
      nodes: [
        { id: 'src', type: 'source.file', config: { path: 'in.jsonl' } },
        { id: 'w', type: 'window', config: { type: 'tumbling', size: '10 sec', aggregates: [{ as: 'n', op: 'count' }] } },
        { id: 'f', type: 'filter', config: { expression: 'amount > ' } },
        { id: 'x', type: 'no.such.type', config: {} },
      ],
      edges: [
        { id: 'a', source: 'src', target: 'w' },
        { id: 'b', source: 'w', target: 'f' },
      ],
    };
    const r = sluice('validate', write(bad));
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.some((l) => l.startsWith('w: config.size: "10 sec" is not a duration (use 250ms, 10s, 5m, 1h)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('f: config.expression:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('x: ') && l.includes('no.such.type'))).toBe(true);
  });

  it('validate: exit 2 for malformed JSON and for a missing file', () => {
    expect(sluice('validate', write('{ "format": ')).code).toBe(2);
    const missing = sluice('validate', '/nonexistent/graph.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });

  // Two sources meet at the filter, so on BullMQ it runs in a worker's task: its samples reach the run through the task's commits in Redis.
  const erringDoc = {
    format: 'sluice/v1',
    nodes: [
      { id: 'a', type: 'source.file', config: { path: 'a.jsonl' } },
      { id: 'b', type: 'source.file', config: { path: 'b.jsonl' } },
      { id: 'flagged', type: 'filter', config: { expression: 'flag' } },
      { id: 'half', type: 'map', config: { set: { half: 'amount / 2' } } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl', mode: 'overwrite' } },
    ],
    edges: [
      { id: 'e1', source: 'a', target: 'flagged' },
      { id: 'e2', source: 'b', target: 'flagged' },
      { id: 'e3', source: 'flagged', target: 'half' },
      { id: 'e4', source: 'half', target: 'out' },
    ],
  };
  const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');
  const erringFiles = {
    'a.jsonl': lines(
      { flag: true, amount: 4 },
      { flag: 1, amount: 4 },
      { flag: true, amount: 'x' },
      { flag: false, amount: 2 },
      { flag: 'yes', amount: 2 },
    ),
    'b.jsonl': lines({ flag: 1, amount: 4 }, { flag: true, amount: 6 }, { flag: true, amount: 'y' }, { flag: 2, amount: 1 }),
  };

  it.each(['embedded', 'bullmq'])('run --engine %s: the errors of each node are explained, message by message with counts', (engine) => {
    const path = write(erringDoc, erringFiles);
    const r = sluice('run', path, '--engine', engine);
    expect(r.code, r.stderr).toBe(0);
    // 9 records: 4 flags true, 1 false (filtered out), 4 neither (1, "yes", 1, 2): errors. Of the
    // 4 passed, amounts "x" and "y" cannot be halved: 2 errors, 2 written.
    expect(r.stdout).toMatch(/^flagged\s+filter\s+9\s+4\s+4\s+0\s+0$/m);
    expect(r.stdout).toMatch(/^half\s+map\s+4\s+2\s+2\s+0\s+0$/m);
    expect(r.stdout).toContain(
      [
        'flagged: 4 errors',
        '  2 × the filter expression gave number 1, not true or false',
        '  1 × the filter expression gave number 2, not true or false',
        '  1 × the filter expression gave the string "yes", not true or false',
        'half: 2 errors',
        '  1 × cannot compute the string "x" / the number 2 at column 8',
        '  1 × cannot compute the string "y" / the number 2 at column 8',
        '',
      ].join('\n'),
    );
    expect(
      readFileSync(join(path, '..', 'out.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);
  });

  it('run: exit 0, per-node counts, output written relative to the document', () => {
    const path = write(thresholdDoc, { 'in.jsonl': amounts });
    const r = sluice('run', path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^big\s+filter\s+4\s+3\s+0\s+0\s+0$/m);
    expect(
      readFileSync(join(path, '..', 'out.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
  });

  it('run --param overrides a param; a bad value or unknown name is exit 2 naming it', () => {
    const path = write(thresholdDoc, { 'in.jsonl': amounts });
    const r = sluice('run', path, '--param', 'min_amount=20');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^big\s+filter\s+4\s+2\s/m);
    const tooBig = sluice('run', path, '--param', 'min_amount=5000');
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain('min_amount');
    expect(tooBig.stderr).toContain('maximum 1000');
    const unknown = sluice('run', path, '--param', 'nope=1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope');
    expect(sluice('run', path, '--param', 'min_amount=abc').code).toBe(2);
  });

  it('run: exit 1 when the run fails (an output that cannot be written)', () => {
    const doc = structuredClone(thresholdDoc);
    // A regular file where a folder should be: the sink cannot create its output.
    doc.nodes[2]!.config = { path: 'blocker/out.jsonl', mode: 'overwrite' };
    const r = sluice('run', write(doc, { 'in.jsonl': amounts, blocker: 'not a folder' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('out');
  });

  it('run: exit 2 for an invalid document, before anything runs', () => {
    const doc = structuredClone(thresholdDoc);
    doc.nodes[1]!.config = { expression: 'amount >= params.missing' };
    const r = sluice('run', write(doc, { 'in.jsonl': amounts }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('big: config.expression');
  });

  it('run: exit 2 for --workers without --engine bullmq, instead of running embedded and ignoring it', () => {
    const path = write(thresholdDoc, { 'in.jsonl': amounts });
    const r = sluice('run', path, '--workers', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--workers needs --engine bullmq');
    expect(existsSync(join(path, '..', 'out.jsonl'))).toBe(false);
  });

  it('run --engine bullmq: exit 1 naming Redis when it does not answer, instead of hanging', () => {
    // Port 1 on loopback: nothing listens there. spawnSync's own 60 s timeout would end a hang (status null).
    const r = sluiceWith({ REDIS_URL: 'redis://127.0.0.1:1' }, 'run', write(thresholdDoc, { 'in.jsonl': amounts }), '--engine', 'bullmq');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Redis does not answer at redis://127.0.0.1:1');
  });
});
