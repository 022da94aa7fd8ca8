/**
 * The image's build stage without Docker (these machines have no Docker daemon): the RUN lines of
 * deploy/Dockerfile's first stage after `COPY . .`, as written there, in a copy of the checkout
 * with its own node_modules. They drop the development packages and load the bundle; then
 * `sluice workers` from that tree reaches Redis, so an engine import of a development-only
 * package, or a bundle that reaches outside its tree, fails here rather than in the image.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
let copy: string | undefined;

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** The build stage's RUN commands after `COPY . .` (continuation lines joined). */
function buildStageSteps(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const stage = joined.split(/^FROM /m)[1]!;
  const afterCopy = stage.slice(stage.indexOf('COPY . .'));
  return afterCopy
    .split('\n')
    .filter((l) => l.startsWith('RUN '))
    .map((l) => l.slice(4).trim());
}

describe("deploy/Dockerfile's build stage, run without Docker", { timeout: 300_000 }, () => {
  it('installs, builds, keeps production packages only, and the bundle still runs', async () => {
    const steps = buildStageSteps(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
    expect(steps.map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(['pnpm build:editor', 'pnpm install']);
    copy = mkdtempSync(join(tmpdir(), 'sluice-image-'));
    // What the build context holds: the checkout's files, tracked or not, minus what git ignores.
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT });
    execFileSync('bash', ['-c', `tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C ${JSON.stringify(copy)}`], {
      cwd: ROOT,
      input: files,
    });
    await run('pnpm', ['install', '--frozen-lockfile'], { cwd: copy });
    for (const step of steps) await run('bash', ['-c', step], { cwd: copy });
    // The development packages are gone from the tree, and so are the sources the image drops.
    expect(existsSync(join(copy, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(copy, 'node_modules/esbuild'))).toBe(false);
    expect(existsSync(join(copy, 'editor/dist/index.html'))).toBe(true);
    const prefix = `${TEST_KEY_ROOT}-image-${randomUUID().slice(0, 8)}`;
    const { stdout } = await run(process.execPath, ['engine/dist/cli/main.js', 'workers', '--json', '--prefix', prefix], {
      cwd: copy,
      env: { ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    });
    expect(JSON.parse(stdout)).toEqual({ prefix, workers: [] });
  });
});
