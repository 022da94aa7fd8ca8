import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Event } from '@sluice/shared';
import type { OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import type { ValueState } from '../../sdk/state.js';
import type { SinkFileConfig } from './definition.js';

/** Buffered characters that trigger a write: big enough to amortise syscalls, small enough to stay cheap. */
const FLUSH_CHARS = 256 * 1024;

/**
 * The empty file an overwrite-mode run writes into until its start is committed: its name in
 * the output's folder, and which file it is (device and inode), to recognise it once renamed.
 */
export interface StagedFile {
  name: string;
  id: string;
}

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
  return new FileSink(
    fd,
    path,
    shown,
    ctx.config.mode === 'overwrite',
    ctx.state.value<number | null>('committedBytes', null),
    ctx.state.value<StagedFile | null>('staged', null),
  );
};

/**
 * The file's length is declared state, committed with the rest of the task's state, and every
 * write goes to an explicit offset: the committed length plus what this batch wrote so far.
 * Lines are deterministic given state and input, so a batch written again (after a crash, or
 * late by a worker that was paused while another took its task over: BullMQ's fencing pins the
 * batch each version applies) lands on the same bytes instead of being appended twice.
 *
 * Nothing truncates or replaces the file while others may write it: a late truncation (by a
 * worker paused between reading the task's state and acting on it) would cut what others
 * committed since, and no claim can fence a process that acts late. So overwrite mode does not
 * empty the file: its start creates a new empty file beside it under a random name (the
 * staged file), and the path is replaced by it (a rename) only once that start is committed:
 * by the instance whose start it was (onStartSettled(true)) or by whoever restores the
 * committed state. A rename repeated late finds its source gone and does nothing, and a start
 * that was not committed never renames (nodes/src/file/sink/README.md). The file is cut to the committed
 * length only when the input has ended (the final length; nothing follows).
 */
class FileSink implements SinkOperator {
  private buffer = '';
  private closed = false;
  private started = false;
  private ended = false;
  /** This instance created the staged file (a fresh start in overwrite mode). */
  private staging = false;
  /** The staged file may replace the path: its start is committed (or restored from committed state). */
  private mayReplace = false;
  /** The start was settled as not committed: the staged file is this instance's to remove. */
  private aborted = false;

  constructor(
    private fd: number,
    private readonly path: string,
    private readonly shown: string,
    private readonly overwrite: boolean,
    private readonly length: ValueState<number | null>,
    private readonly staged: ValueState<StagedFile | null>,
  ) {}

  onRestore(): void {
    if (this.length.get() !== null) this.started = true;
    const staged = this.staged.get();
    if (!staged) return;
    this.openStaged(staged);
    // Restored state is committed: its staged file may replace the path now, if nobody did.
    this.mayReplace = true;
    this.replacePath();
  }

  /** A fresh run: note where writes start; overwrite mode stages a new empty file. */
  onStart(): void {
    this.start();
  }

  /** The start is committed (or, `false`, will never be): the staged file replaces the path, or is removed. */
  onStartSettled(committed: boolean): void {
    if (!this.staging || this.mayReplace || this.aborted) return;
    if (committed) {
      this.mayReplace = true;
      this.replacePath();
    } else this.aborted = true;
  }

  private start(): void {
    this.started = true;
    if (this.overwrite) this.stage();
    this.length.set(this.overwrite ? 0 : fstatSync(this.fd).size);
  }

  private stage(): void {
    const name = `.${basename(this.path)}.sluice-${randomBytes(6).toString('hex')}`;
    let fd: number;
    try {
      fd = openSync(join(dirname(this.path), name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (err) {
      throw new Error(`cannot create a new file beside ${this.shown}: ${(err as Error).message}`);
    }
    closeSync(this.fd);
    this.fd = fd;
    this.staging = true;
    this.staged.set({ name, id: fileId(fstatSync(fd)) });
  }

  /** Restoring a start that may not have replaced the path yet: write into the staged file, wherever it is now. */
  private openStaged(staged: StagedFile): void {
    try {
      const fd = openSync(join(dirname(this.path), staged.name), constants.O_WRONLY);
      closeSync(this.fd);
      this.fd = fd;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot open ${this.shown}: ${(err as Error).message}`);
      // Renamed already: the file opened at the path must be it.
      if (fileId(fstatSync(this.fd)) !== staged.id) throw this.replaced();
    }
  }

  /**
   * Idempotent: the staged file's name is random and consumed by the rename, so a rename
   * repeated late (by a paused worker) finds nothing to move and cannot replace newer output.
   */
  private replacePath(): void {
    const staged = this.staged.get();
    if (!staged || !this.mayReplace) return;
    try {
      renameSync(join(dirname(this.path), staged.name), this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot replace ${this.shown}: ${(err as Error).message}`);
      const atPath = statSync(this.path, { throwIfNoEntry: false });
      if (!atPath || fileId(atPath) !== staged.id) throw this.replaced();
    }
    this.staged.set(null);
    this.staging = false;
  }

  process(batch: readonly Event[]): void {
    if (!this.started) this.startAlone();
    let buf = this.buffer;
    for (let i = 0; i < batch.length; i++) buf += `${JSON.stringify(batch[i])}\n`;
    this.buffer = buf;
    if (buf.length >= FLUSH_CHARS) this.flush();
  }

  /** No start or restore came (a caller that owns the file alone): start, committed at once. */
  private startAlone(): void {
    this.start();
    this.onStartSettled(true);
  }

  onWatermark(watermark: number): void {
    if (watermark === Number.POSITIVE_INFINITY) this.ended = true;
  }

  flush(): void {
    if (this.closed) return;
    if (!this.started) this.startAlone();
    this.replacePath(); // a replace that failed earlier (a transient error) is tried again
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
    if (!atPath || fileId(atPath) !== fileId(own)) throw this.replaced();
    if (own.size < length)
      throw new Error(`${this.shown} holds ${own.size} bytes but ${length} were written and committed: something truncated it`);
  }

  private replaced(): Error {
    return new Error(`${this.shown} was removed or replaced while the pipeline wrote it`);
  }

  close(): void {
    if (this.closed) return;
    try {
      // A start that was never committed writes nothing anywhere, and its staged file goes.
      if (!this.aborted) this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
      if (this.aborted) removeStaged(dirname(this.path), this.staged.get());
    }
  }
}

function fileId(s: { dev: number; ino: number }): string {
  return `${s.dev}:${s.ino}`;
}

function removeStaged(dir: string, staged: StagedFile | null): void {
  if (!staged) return;
  try {
    unlinkSync(join(dir, staged.name));
  } catch {
    // Already gone: nothing to clean.
  }
}
