import { randomUUID } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of in-flight writes; readers skip such files (a crash may leave one behind). */
export const TEMP_SUFFIX = '.tmp';

/**
 * Write a file so that a crash at any moment leaves either the old content or the new one:
 * write a temporary file beside it, fsync it, rename it over the target (atomic within a
 * folder), then fsync the folder so the rename itself survives a power loss.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomUUID().slice(0, 8)}${TEMP_SUFFIX}`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a folder; the rename is still atomic there.
  } finally {
    await fh?.close();
  }
}
