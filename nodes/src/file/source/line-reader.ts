/**
 * Reads a file in chunks and hands out lines, tracking the byte offset of the next unread line
 * (for checkpoints). Lines are split on raw bytes: 0x0A never occurs inside a UTF-8 multi-byte
 * sequence, so offsets stay exact and a character split across chunks is never broken.
 * Memory: one chunk plus the longest line, whatever the file size.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

export class LineReader {
  private data: Buffer = EMPTY;
  /** Index in `data` of the next unread byte. */
  private pos = 0;
  /** File offset of `data[0]`. */
  private dataStart: number;
  /** File offset of the next read. */
  private readAt: number;
  private eof = false;

  constructor(
    private readonly file: FileHandle,
    start = 0,
    /** Lines handed out so far (1-based number of the last one). */
    public line = 0,
  ) {
    this.dataStart = start;
    this.readAt = start;
  }

  /** Byte offset of the next unread line. */
  get offset(): number {
    return this.dataStart + this.pos;
  }

  /** True when every line has been handed out. */
  get done(): boolean {
    return this.eof && this.pos >= this.data.length;
  }

  /**
   * The next line without its `\n` (and `\r`), or undefined when no complete line is buffered:
   * then call `fill()` (unless `done`). The last line of a file needs no trailing newline.
   */
  nextLine(): string | undefined {
    const data = this.data;
    const start = this.pos;
    const nl = data.indexOf(10, start);
    let end: number;
    if (nl === -1) {
      if (!this.eof || start >= data.length) return undefined;
      end = data.length;
      this.pos = end;
    } else {
      end = nl;
      this.pos = nl + 1;
    }
    if (end > start && data[end - 1] === 13) end--;
    this.line++;
    let text = data.toString('utf8', start, end);
    // A byte-order mark is not part of the first field's name.
    if (this.dataStart + start === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  }

  /** Reads the next chunk, keeping the unread tail. */
  async fill(): Promise<void> {
    if (this.eof) return;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await this.file.read(chunk, 0, CHUNK_BYTES, this.readAt);
    this.readAt += bytesRead;
    if (bytesRead === 0) this.eof = true;
    const tail = this.data.subarray(this.pos);
    this.dataStart += this.pos;
    this.pos = 0;
    const fresh = chunk.subarray(0, bytesRead);
    this.data = tail.length === 0 ? fresh : Buffer.concat([tail, fresh]);
  }
}
