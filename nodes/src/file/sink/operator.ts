import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Event } from '@sluice/shared';
import type { OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import type { ValueState } from '../../sdk/state.js';
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
    // Never truncate at open (a task resumed in another process re-creates this operator), and
    // never O_APPEND: every write goes to the offset the task's state says (see FileSink).
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
  } catch (err) {
    throw new Error(`cannot open ${shown} for writing: ${(err as Error).message}`);
  }
  return new FileSink(fd, path, shown, ctx.config.mode === 'overwrite', ctx.state.value<number | null>('committedBytes', null));
};

/**
 * The file's length is declared state, committed with the rest of the task's state, and every
 * write goes to an explicit offset: the committed length plus what this batch wrote so far.
 * Lines are deterministic given state and input, so a batch written again (after a crash, or
 * late by a worker that was paused while another took its task over: BullMQ's fencing pins the
 * batch each version applies) lands on the same bytes instead of being appended twice. Nothing
 * truncates mid-run: a late truncation would cut what others committed since. The file is cut
 * to the committed length only when the input has ended (the final length; nothing follows).
 */
class FileSink implements SinkOperator {
  private buffer = '';
  private closed = false;
  private started = false;
  private ended = false;

  constructor(
    private fd: number,
    private readonly path: string,
    private readonly shown: string,
    private readonly overwrite: boolean,
    private readonly length: ValueState<number | null>,
  ) {}

  onRestore(): void {
    if (this.length.get() !== null) this.started = true;
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

  onWatermark(watermark: number): void {
    if (watermark === Number.POSITIVE_INFINITY) this.ended = true;
  }

  flush(): void {
    if (!this.started && !this.closed) this.start();
    if (this.closed) return;
    if (this.buffer !== '') this.write();
    if (this.ended) this.cutToLength();
  }

  private write(): void {
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    const at = this.length.get() ?? 0;
    try {
      // writeSync may write less than asked (rare): loop until all is out, at explicit offsets.
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, at + off);
    } catch (err) {
      throw new Error(`cannot write ${this.shown}: ${(err as Error).message}`);
    }
    this.length.set(at + bytes.length);
  }

  /**
   * Input ended: drop what a batch that was never committed left past the end, and check that
   * the file at the path is ours and holds what was committed: a run must not end "completed"
   * over a file someone truncated or replaced.
   */
  private cutToLength(): void {
    const length = this.length.get() ?? 0;
    const own = fstatSync(this.fd);
    if (own.size > length) ftruncateSync(this.fd, length);
    const atPath = statSync(this.path, { throwIfNoEntry: false });
    if (!atPath || atPath.ino !== own.ino || atPath.dev !== own.dev)
      throw new Error(`${this.shown} was removed or replaced while the pipeline wrote it`);
    if (own.size < length)
      throw new Error(`${this.shown} holds ${own.size} bytes but ${length} were written and committed: something truncated it`);
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
