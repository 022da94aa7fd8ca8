import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface LoadedFile {
  path: string;
  baseDir: string;
  text: string;
}

/** Read a document file; a path that cannot be read is a usage error (exit 2), said plainly. */
export async function loadDocumentFile(path: string): Promise<LoadedFile | { error: string }> {
  const abs = resolve(path);
  try {
    return { path: abs, baseDir: dirname(abs), text: await readFile(abs, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    return { error: `${path}: cannot read (${why})` };
  }
}
