import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Temp folders a test file makes, removed after its tests: call at the top of the file (or of a
 * describe); each call of the function it returns makes a new folder under os.tmpdir(), named
 * `<prefix><name>-*` when given a name (one helper for a file's several kinds of folder).
 */
export function tempFolders(prefix: string): (name?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (name) => {
    const dir = mkdtempSync(join(tmpdir(), name === undefined ? prefix : `${prefix}${name}-`));
    made.push(dir);
    return dir;
  };
}
