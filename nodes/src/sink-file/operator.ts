import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Event } from '@sluice/shared';
import type { OperatorFactory, SinkOperator } from '../sdk/operator.js';
import type { ValueState } from '../sdk/state.js';
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
    // Never truncate at open: a task resumed in another process re-creates this operator.
    fd = openSync(path, 'a');
  } catch (err) {
    throw new Error(`cannot open ${shown} for writing: ${(err as Error).message}`);
  }
  return new FileSink(fd, shown, ctx.config.mode === 'overwrite', ctx.state.value<number | null>('committedBytes', null));
};

/**
 * The file's length is declared state: the runtime commits it with the rest of the task's state
 * (BullMQ mode), and a task restored after a crash truncates the file back to it, so the lines
 * of a batch that was written but never committed are not written twice.
 */
class FileSink implements SinkOperator {
  private buffer = '';
  private closed = false;
  private started = false;

  constructor(
    private fd: number,
    private readonly shown: string,
    private readonly overwrite: boolean,
    private readonly length: ValueState<number | null>,
  ) {}

  onRestore(): void {
    const committed = this.length.get();
    if (committed === null) return;
    this.started = true;
    if (fstatSync(this.fd).size > committed) ftruncateSync(this.fd, committed);
  }

  /** A fresh run: overwrite mode empties the file; either way note where we start. */
  onStart(): void {
    this.start();
  }

  private start(): void {
    this.started = true;
    if (this.overwrite) ftruncateSync(this.fd, 0);
    this.length.set(fstatSync(this.fd).size);
  }

  process(batch: readonly Event[]): void {
    if (!this.started) this.start();
    let buf = this.buffer;
    for (let i = 0; i < batch.length; i++) buf += `${JSON.stringify(batch[i])}\n`;
    this.buffer = buf;
    if (buf.length >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (!this.started && !this.closed) this.start();
    if (this.buffer === '' || this.closed) return;
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    try {
      // writeSync may write less than asked (rare, e.g. on pipes): loop until all is out.
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (err) {
      throw new Error(`cannot write ${this.shown}: ${(err as Error).message}`);
    }
    this.length.set((this.length.get() ?? 0) + bytes.length);
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
