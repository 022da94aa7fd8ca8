/**
 * The embedded engine's recordings, kept across a server restart (issue 13, defect 11): the
 * in-memory rings, with each pipeline's recording written to `<dataDir>/recordings/<id>.json`
 * a second after it changed (atomically) and read back at start. The pipeline's privacy limits
 * travel with it: `maxEvents` bounds what is written, and events past `ttlSeconds` are swept
 * from memory and, on the next write, from the file; a file read at start goes through the
 * same sweep, so a restart never brings back what the TTL deleted (docs/privacy.md).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { RecordedEvent } from './recorded-event.js';
import { MemoryRecordingStore, type RecordingLimits, type RecordingStats, type RecordingStore } from './recording-store.js';

interface RecordingFile {
  limits: RecordingLimits;
  sources: Record<string, RecordedEvent[]>;
}

export class FileRecordingStore implements RecordingStore {
  private readonly memory: MemoryRecordingStore;
  private readonly limits = new Map<string, RecordingLimits>();
  private readonly dirty = new Set<string>();
  /** Every file write and delete, one after another: a clear never races a write of the same file. */
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly dir: string,
    capacity: number,
    o: { flushMs?: number; sweepMs?: number; now?: () => number },
  ) {
    this.memory = new MemoryRecordingStore(capacity, o);
    this.timer = setInterval(() => void this.flush(), o.flushMs ?? 1000);
    this.timer.unref();
  }

  /** The store with every recording found in `dir` loaded (expired events dropped). */
  static async open(
    dir: string,
    o: { capacity?: number; flushMs?: number; sweepMs?: number; now?: () => number } = {},
  ): Promise<FileRecordingStore> {
    const store = new FileRecordingStore(dir, o.capacity ?? 10_000, o);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const id = name.slice(0, -'.json'.length);
      let file: RecordingFile;
      try {
        file = JSON.parse(await readFile(join(dir, name), 'utf8')) as RecordingFile;
      } catch {
        // A file cut short by a crash before atomic writes existed, or edited by hand: not a recording.
        continue;
      }
      for (const [node, events] of Object.entries(file.sources ?? {})) store.memory.append(id, node, events, file.limits ?? {});
      store.limits.set(id, file.limits ?? {});
      // Written again at the next flush: without what the TTL swept meanwhile.
      store.dirty.add(id);
    }
    store.memory.sweep();
    return store;
  }

  get capacity(): number {
    return this.memory.capacity;
  }

  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[], limits: RecordingLimits = {}): void {
    this.memory.append(pipelineId, nodeId, events, limits);
    this.limits.set(pipelineId, limits);
    this.dirty.add(pipelineId);
  }

  read(pipelineId: string, limit?: number): Promise<Record<string, RecordedEvent[]>> {
    return this.memory.read(pipelineId, limit);
  }

  stats(pipelineId: string): Promise<RecordingStats> {
    return this.memory.stats(pipelineId);
  }

  async clear(pipelineId: string): Promise<void> {
    await this.memory.clear(pipelineId);
    this.dirty.delete(pipelineId);
    this.limits.delete(pipelineId);
    await this.enqueue(() => rm(this.fileOf(pipelineId), { force: true }));
  }

  /** Delete expired events now (the memory store does it every second by itself). */
  sweepNow(): void {
    this.memory.sweep();
  }

  /** Write every changed recording (and, for pipelines with a TTL, what the sweep deleted). */
  async flush(): Promise<void> {
    for (const [id, limits] of this.limits) if (limits.ttlMs !== undefined) this.dirty.add(id);
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids)
      await this.enqueue(async () => {
        const sources = await this.memory.read(id);
        if (Object.keys(sources).length === 0) {
          this.limits.delete(id);
          await rm(this.fileOf(id), { force: true });
          return;
        }
        const file: RecordingFile = { limits: this.limits.get(id) ?? {}, sources };
        await writeFileAtomic(this.fileOf(id), JSON.stringify(file));
      });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.chain;
    await this.memory.close();
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private enqueue(job: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(job).then(
      () => undefined,
      () => undefined,
    );
    this.chain = next;
    return next;
  }
}
