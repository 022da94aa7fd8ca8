/**
 * The audit log: who did what to which pipeline, when, and from where. Append-only: entries are
 * only ever added (one JSON line each, in a file under the data folder), never rewritten, so
 * the history of a change and of its rollback both stay on record.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry } from '@sluice/shared';

export type { AuditEntry };

export interface AuditQuery {
  pipelineId?: string;
  limit?: number;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}

function select(entries: AuditEntry[], q: AuditQuery): AuditEntry[] {
  const matching = q.pipelineId ? entries.filter((e) => e.pipelineId === q.pipelineId) : entries;
  return matching.slice(-(q.limit ?? 200)).reverse();
}

export class MemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];
  async append(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    return select(this.entries, q);
  }
}

export class FileAuditLog implements AuditLog {
  // Appends are chained: two concurrent requests never interleave half lines.
  private tail: Promise<void> = Promise.resolve();
  private checked = false;

  constructor(private readonly file: string) {}

  append(entry: AuditEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    const next = this.tail.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      // After a crash mid-write the file may end in a torn line: start on a fresh one.
      const fresh = this.checked ? '' : await this.tornTail();
      this.checked = true;
      await appendFile(this.file, fresh + line);
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async tornTail(): Promise<string> {
    try {
      const text = await readFile(this.file, 'utf8');
      return text.length > 0 && !text.endsWith('\n') ? '\n' : '';
    } catch {
      return '';
    }
  }

  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.tail;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn last line after a crash: skip it, keep the rest.
      }
    }
    return select(entries, q);
  }
}
