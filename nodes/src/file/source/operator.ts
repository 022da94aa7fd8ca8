import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { durationMs, type Event, INGEST_TIME } from '@sluice/shared';
import type { OperatorContext, SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { csvHeader, csvRow, splitCsvRecord } from '../../sdk/csv.js';
import { delimiterOf, fileFormatOf, type SourceFileConfig } from './definition.js';
import { LineReader } from './line-reader.js';
import { RecordClock, TokenBucket } from '../../sdk/source-time.js';

/** A CSV record still open after this many characters is reported and abandoned. */
const MAX_RECORD_CHARS = 8 << 20;
/** How much of a bad line the error event keeps. */
const MAX_RAW_CHARS = 1000;

/** Checkpoint position: where the next record starts, and what is needed to resume exactly. */
export interface FilePosition {
  offset: number;
  line: number;
  /** Largest event time read (null: none yet), so the watermark resumes where it was. */
  maxTime: number | null;
  /** CSV header, so resuming mid-file needs no second read of the first row. */
  header?: string[];
}

type BadRecord = NonNullable<SourceBatch['errors']>[number];

export const sourceFileOperator: SourceFactory<SourceFileConfig> = async (ctx) => {
  const path = ctx.resolvePath(ctx.config.path);
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new Error(`cannot read ${ctx.config.path}: ${(err as Error).message}`);
  }
  return new FileSource(file, ctx);
};

class FileSource implements SourceOperator {
  private reader: LineReader;
  private readonly csv: boolean;
  private readonly delimiter: string;
  private header: string[] | undefined;
  /** A CSV record spanning lines (newline inside quotes), not complete yet. */
  private pending: { text: string; line: number; offset: number } | undefined;
  private readonly clock: RecordClock;
  private readonly bucket: TokenBucket | undefined;
  private closed = false;

  constructor(
    private readonly file: FileHandle,
    private readonly ctx: OperatorContext<SourceFileConfig>,
  ) {
    const c = ctx.config;
    this.reader = new LineReader(file);
    this.csv = fileFormatOf(c) === 'csv';
    this.delimiter = delimiterOf(c);
    this.clock = new RecordClock(c.timeField, durationMs(c.maxOutOfOrderness));
    this.bucket = c.rate ? new TokenBucket(c.rate) : undefined;
  }

  async poll(max: number): Promise<SourceBatch> {
    const now = this.ctx.now();
    const allowed = this.bucket ? this.bucket.available(now, max) : max;
    const events: Event[] = [];
    const errors: BadRecord[] = [];
    while (events.length < allowed && errors.length < max) {
      const rec = this.csv ? this.nextCsvRecord(errors) : this.nextJsonRecord(errors);
      if (rec === undefined) {
        if (this.reader.done) break;
        await this.reader.fill();
        continue;
      }
      if (rec !== null) this.accept(rec.obj, rec.line, now, events, errors);
    }
    this.bucket?.consume(events.length);
    for (const e of errors) (e.event as Record<symbol, unknown>)[INGEST_TIME] = now;
    // Parsed here and not kept: the pipeline may change them in place.
    const batch: SourceBatch = {
      events,
      watermark: this.clock.watermark,
      done: this.reader.done && this.pending === undefined,
      owned: true,
    };
    if (errors.length > 0) batch.errors = errors;
    return batch;
  }

  /** A record: its object, or null when it was bad (already in `errors`); undefined: need more input. */
  private nextJsonRecord(errors: BadRecord[]): { obj: Record<string, unknown>; line: number } | null | undefined {
    for (;;) {
      const text = this.reader.nextLine();
      if (text === undefined) return undefined;
      const line = this.reader.line;
      if (text.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        errors.push(bad(line, text, `malformed JSON: ${(err as Error).message}`));
        return null;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        errors.push(bad(line, text, 'not a JSON object'));
        return null;
      }
      return { obj: obj as Record<string, unknown>, line };
    }
  }

  private nextCsvRecord(errors: BadRecord[]): { obj: Record<string, unknown>; line: number } | null | undefined {
    for (;;) {
      const offset = this.reader.offset;
      const text = this.reader.nextLine();
      if (text === undefined) {
        if (this.reader.done && this.pending) {
          const p = this.pending;
          this.pending = undefined;
          errors.push(bad(p.line, p.text, 'unterminated quoted field'));
          return null;
        }
        return undefined;
      }
      if (this.pending) this.pending.text += `\n${text}`;
      else if (text === '') continue;
      else this.pending = { text, line: this.reader.line, offset };
      const p = this.pending;
      const fields = splitCsvRecord(p.text, this.delimiter);
      if (fields === undefined) {
        if (p.text.length <= MAX_RECORD_CHARS) continue;
        this.pending = undefined;
        errors.push(bad(p.line, p.text, `quoted field not closed within ${MAX_RECORD_CHARS} characters`));
        return null;
      }
      this.pending = undefined;
      if (!this.header) {
        this.header = csvHeader(fields);
        continue;
      }
      try {
        return { obj: csvRow(this.header, fields), line: p.line };
      } catch (err) {
        errors.push(bad(p.line, p.text, (err as Error).message));
        return null;
      }
    }
  }

  private accept(obj: Record<string, unknown>, line: number, now: number, events: Event[], errors: BadRecord[]): void {
    const why = this.clock.stampRecord(obj, now);
    if (why === undefined) events.push(obj as Event);
    else errors.push({ event: { ...obj, _line: line }, error: `line ${line}: ${why}` });
  }

  position(): FilePosition {
    const at = this.pending ?? { offset: this.reader.offset, line: this.reader.line };
    const pos: FilePosition = {
      offset: at.offset,
      line: this.pending ? this.pending.line - 1 : at.line,
      maxTime: Number.isFinite(this.clock.maxTime) ? this.clock.maxTime : null,
    };
    if (this.header) pos.header = this.header;
    return pos;
  }

  seek(position: unknown): void {
    const p = position as Partial<FilePosition> | null;
    if (!p || typeof p.offset !== 'number' || typeof p.line !== 'number')
      throw new Error(`not a source.file position: ${JSON.stringify(position)}`);
    this.reader = new LineReader(this.file, p.offset, p.line);
    this.pending = undefined;
    this.header = p.header ? [...p.header] : undefined;
    this.clock.maxTime = typeof p.maxTime === 'number' ? p.maxTime : Number.NEGATIVE_INFINITY;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

function bad(line: number, text: string, why: string): BadRecord {
  const raw = text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}...` : text;
  return { event: { _line: line, _raw: raw }, error: `line ${line}: ${why}` };
}
