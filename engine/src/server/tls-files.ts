/**
 * The server's certificate and key, read from files (TLS_CERT, TLS_KEY) and read again when
 * either file changes, so a renewed certificate is served without a restart: each new
 * connection gets the context of the latest pair that loads. A pair that does not load (the
 * certificate replaced before its key) is logged and the previous one kept until it does.
 */
import { readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

/** The pair as `https.createServer` options; throws naming the file that cannot be read. */
export function readTlsPair(f: TlsFiles): { cert: Buffer; key: Buffer } {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new TlsConfigError(`${what} ${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return { cert: read('TLS_CERT', f.certFile), key: read('TLS_KEY', f.keyFile) };
}

/** How often the files' modification times are checked, ms. */
const POLL_MS = 1000;

/**
 * Watch both files (by polling their status: it follows renames and symlink swaps, which
 * certificate renewals use) and swap the server's secure context when they change. Returns the
 * function that stops watching.
 */
export function reloadOnChange(server: HttpsServer, f: TlsFiles, log: (line: string) => void): () => void {
  const stamp = () => [f.certFile, f.keyFile].map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0).join('/');
  let loaded = stamp();
  const check = () => {
    const now = stamp();
    if (now === loaded) return;
    // Tried once per change: a pair that fails is tried again when a file changes again.
    loaded = now;
    try {
      server.setSecureContext(readTlsPair(f));
      log(`TLS certificate reloaded from ${f.certFile}`);
    } catch (err) {
      log(`TLS certificate not reloaded (keeping the previous one): ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const options = { interval: POLL_MS, persistent: false };
  watchFile(f.certFile, options, check);
  watchFile(f.keyFile, options, check);
  return () => {
    unwatchFile(f.certFile, check);
    unwatchFile(f.keyFile, check);
  };
}
