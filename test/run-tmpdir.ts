/**
 * The test run's own temp folder (README, tests). The global setup makes a
 * fresh `sluice-tests-*` folder under the system's and sets TMPDIR to it before the workers
 * fork, so os.tmpdir() in the tests, and in the processes they spawn, lands there; the setup file
 * (tmpdir.setup.ts) gives each test file a folder of its own inside it and notes what the file
 * left there; the teardown reports those files and removes the whole folder.
 */
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The run folder, for the setup file in the workers. */
export const RUN_TMP_ENV = 'SLUICE_TEST_TMP';
/** The system's temp folder, where tsx's shared cache stays (shareTsxCache). */
export const SYSTEM_TMP_ENV = 'SLUICE_TEST_SYSTEM_TMP';
/** A test file's leftovers note, beside its folder: `<folder>.left.json`. */
export const LEFT_SUFFIX = '.left.json';
/** Not a test's data: the compile cache of `node --import tsx` children (tsx-<uid>). */
export const IGNORED_ENTRY = /^tsx-\d+$/;

/**
 * tsx keeps its compile cache in `<tmpdir>/tsx-<uid>`, with no setting to move it: a folder per
 * test file would make every `node --import tsx` child compile the engine again (seconds each,
 * and an esbuild service child). A link to the system temp folder's cache keeps it shared and warm.
 */
export function shareTsxCache(inDir: string, systemTmp: string): void {
  const name = `tsx-${process.geteuid?.() ?? userInfo().username}`;
  const shared = join(systemTmp, name);
  try {
    mkdirSync(shared, { recursive: true, mode: 0o700 });
    symlinkSync(shared, join(inDir, name));
  } catch {
    // Already linked, or the system folder is not writable: tsx then makes its own.
  }
}

export interface RunTmp {
  dir: string;
  /** Entries each test file left in its folder, by file (relative to the repository). */
  leftovers(): { file: string; entries: string[] }[];
  /** Puts TMPDIR back and removes the folder with everything in it. */
  remove(): void;
}

export function openRunTmp(): RunTmp {
  const before = process.env.TMPDIR;
  const systemTmp = tmpdir();
  const dir = mkdtempSync(join(systemTmp, 'sluice-tests-'));
  // Traversable like /tmp itself: a broker a test starts drops to its own user (Mosquitto)
  // and must reach the files the test made readable for it.
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  process.env[RUN_TMP_ENV] = dir;
  process.env[SYSTEM_TMP_ENV] = systemTmp;
  shareTsxCache(dir, systemTmp);
  return {
    dir,
    leftovers() {
      const out: { file: string; entries: string[] }[] = [];
      for (const name of readdirSync(dir)) {
        if (!name.endsWith(LEFT_SUFFIX)) continue;
        try {
          out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as { file: string; entries: string[] });
        } catch {}
      }
      return out.sort((a, b) => a.file.localeCompare(b.file));
    },
    remove() {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      delete process.env[RUN_TMP_ENV];
      delete process.env[SYSTEM_TMP_ENV];
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Entries named per test file; more are counted (a runner contract can leave dozens). */
const NAMED_ENTRIES = 10;

/** The teardown's lines: one per test file that left temp entries (removed with the run's folder). */
export function describeLeftovers(left: { file: string; entries: string[] }[]): string {
  const total = left.reduce((n, l) => n + l.entries.length, 0);
  const lines = left.map((l) => {
    const more = l.entries.length - NAMED_ENTRIES;
    return `  ${l.file}: ${l.entries.length} (${l.entries.slice(0, NAMED_ENTRIES).join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
  });
  return (
    `${total} temp entr${total === 1 ? 'y' : 'ies'} left by ${left.length} test file(s) in their folders under the run's TMPDIR ` +
    `(removed with it; remove them in the file's afterAll, e.g. tempFolders() of @sluice/nodes/testing):\n${lines.join('\n')}`
  );
}
