import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Event } from '@sluice/shared';
import type { OperatorFactory, SinkOperator } from '../sdk/operator.js';
import type { SinkFileConfig } from './definition.js';

/** Buffered characters that trigger a write: big enough to amortise syscalls, small enough to stay cheap. */
const FLUSH_CHARS = 256 * 1024;

/**
 * Synchronous writes on purpose: `process` is synchronous, so a failed write throws right there
 * and the runtime fails the run naming this node, instead of an error surfacing later from an
 * unawaited promise. Buffering keeps it to one syscall per ~256 KiB.
 */
export const sinkFileOperator: OperatorFactory<SinkFileConfig> = (ctx) => {
  const shown = ctx.config.path;
  const path = ctx.resolvePath(shown);
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, ctx.config.mode === 'overwrite' ? 'w' : 'a');
  } catch (err) {
    throw new Error(`cannot open ${shown} for writing: ${(err as Error).message}`);
  }
  return new FileSink(fd, shown);
};

class FileSink implements SinkOperator {
  private buffer = '';
  private closed = false;

  constructor(
    private fd: number,
    private readonly shown: string,
  ) {}

  process(batch: readonly Event[]): void {
    let buf = this.buffer;
    for (let i = 0; i < batch.length; i++) buf += `${JSON.stringify(batch[i])}\n`;
    this.buffer = buf;
    if (buf.length >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buffer === '' || this.closed) return;
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    try {
      // writeSync may write less than asked (rare, e.g. on pipes): loop until all is out.
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (err) {
      throw new Error(`cannot write ${this.shown}: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}
