/**
 * `/api/files`: the input files of pipelines created through the API, in `<data>/files/` (their
 * folder: `"path": "orders.jsonl"` reads `<data>/files/orders.jsonl`). List, upload (PUT, the
 * raw bytes as application/octet-stream, streamed to disk under a size limit, replaced
 * atomically), delete. Names are plain file names; every path is confined to the folder on its
 * real path (a symbolic link out of it is refused), and the server's own files are refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { confinedPath, PathRefused, realPathOf } from '../../deployments/path-confinement.js';
import { ApiError } from '../errors.js';

/** 64 MiB: input tables and sample event files, not bulk data (use a connector for that). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A plain file name: no folder, no leading dot (hidden and in-flight files start with one). */
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export interface FileRoutesOptions {
  /** `<data>/files/`. */
  dir: string;
  /** Largest upload, bytes (default 64 MiB). */
  maxBytes?: number;
  /** Files of the server's own (tokens, audit log) that may never be written or deleted, wherever they are. */
  protectedPaths?: readonly string[];
}

export interface FileInfo {
  name: string;
  size: number;
  modifiedAt: string;
}

export function fileRoutes(o: FileRoutesOptions): Hono {
  const app = new Hono();
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_FILE_BYTES;

  /** The file's path for `name`, or the API error that says why not. */
  const target = (name: string): string => {
    if (!FILE_NAME.test(name))
      throw new ApiError(
        400,
        'invalid-name',
        `file names are 1 to 128 letters, digits, _ . or -, not starting with a dot; got ${JSON.stringify(name.slice(0, 200))}`,
      );
    let path: string;
    try {
      path = confinedPath(name, o.dir, [o.dir]);
    } catch (err) {
      if (err instanceof PathRefused) throw new ApiError(400, err.code, err.message);
      throw err;
    }
    // Real paths, looked at now: a link to a protected file is refused too.
    const real = realPathOf(path);
    if ((o.protectedPaths ?? []).some((p) => realPathOf(p) === real))
      throw new ApiError(403, 'protected-file', `"${name}" is one of the server's own files`);
    return path;
  };

  app.get('/', async (c) => {
    const entries = await readdir(o.dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const files: FileInfo[] = [];
    for (const e of entries) if (e.isFile() && FILE_NAME.test(e.name)) files.push(await info(e.name, join(o.dir, e.name)));
    files.sort((a, b) => a.name.localeCompare(b.name));
    return c.json({ files, maxBytes });
  });

  app.put('/:name', async (c) => {
    const name = c.req.param('name');
    const path = target(name);
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    // Not a type a page may send cross-site without a preflight (docs/auth.md).
    if (type !== 'application/octet-stream')
      throw new ApiError(
        415,
        'unsupported-media-type',
        `PUT /api/files/${name} takes application/octet-stream (the file's bytes); the request has ${type ? `content-type ${JSON.stringify(type)}` : 'no content-type'}`,
      );
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > maxBytes) throw tooLarge(maxBytes);
    const existed = await stat(path).then(
      (s) => {
        if (!s.isFile()) throw new ApiError(409, 'not-a-file', `"${name}" is a folder`);
        return true;
      },
      () => false,
    );
    await mkdir(o.dir, { recursive: true });
    await writeStream(path, c.req.raw.body, maxBytes);
    return c.json(await info(name, path), existed ? 200 : 201);
  });

  app.delete('/:name', async (c) => {
    const name = c.req.param('name');
    const path = target(name);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) throw new ApiError(404, 'not-found', `no file "${name}"`);
    await rm(path);
    return c.json({ deleted: name });
  });

  return app;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'too-large', `the file is larger than the limit of ${maxBytes} bytes`);
}

async function info(name: string, path: string): Promise<FileInfo> {
  const s = await stat(path);
  return { name, size: s.size, modifiedAt: s.mtime.toISOString() };
}

/**
 * The body into a hidden temporary file beside the target, counted as it arrives (a missing or
 * false content-length cannot pass the limit), fsynced, then renamed over the target: a reader
 * (a running pipeline) sees the old file or the new one, never a part.
 */
async function writeStream(path: string, body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<void> {
  const tmp = resolve(path, '..', `.upload-${randomUUID().slice(0, 8)}.tmp`);
  const fh = await open(tmp, 'wx');
  let done = false;
  try {
    let size = 0;
    if (body) {
      const reader = body.getReader();
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw tooLarge(maxBytes);
        }
        await fh.write(value);
      }
    }
    await fh.sync();
    await fh.close();
    done = true;
    await rename(tmp, path);
  } finally {
    if (!done) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}
