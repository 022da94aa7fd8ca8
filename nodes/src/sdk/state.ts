/**
 * Declared operator state. The runtime creates the stores, so it can snapshot them (BullMQ
 * commits state with the id of the last batch applied) and restore them, without knowing what
 * an operator keeps. Values must be plain JSON-serializable data.
 */
export interface KeyedState<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
  /** Every key gone at once (cheaper than deleting each). */
  clear(): void;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, T]>;
  readonly size: number;
}

export interface ValueState<T> {
  get(): T;
  set(value: T): void;
}

/**
 * A keyed store an operator lays out itself (columns and interned keys, as the window's
 * window-columns.ts), which the runtime snapshots, restores and commits as the same entries a
 * keyed store holds: `[key, value]`, values plain data. The snapshot format does not change.
 */
export interface KeyedColumns {
  /** Every key's value, as new plain objects (or the restored entries not loaded yet). */
  entries(): [string, unknown][];
  /** Restored entries (copies, the store's to keep): the operator loads them in onRestore. */
  restore(entries: [string, unknown][]): void;
  /** Keys written and keys gone since `markClean`; asked only of a store created with track. */
  changes(): { set: [string, unknown][]; deleted: string[] };
  markClean(): void;
}

export interface StateRegistry {
  keyed<T>(name: string): KeyedState<T>;
  /** A keyed store laid out by the operator; `create` is told whether to track changes (BullMQ). */
  columns<S extends KeyedColumns>(name: string, create: (track: boolean) => S): S;
  value<T>(name: string, initial: T): ValueState<T>;
}

export type StateSnapshot = Record<string, { kind: 'keyed'; entries: [string, unknown][] } | { kind: 'value'; value: unknown }>;

/** What changed in keyed stores since the last `markClean`: per store, keys written and keys gone. */
export type KeyedChanges = Record<string, { set: [string, unknown][]; deleted: string[] }>;

/**
 * A keyed store that remembers which keys may have changed, so the BullMQ runtime commits only
 * those (incremental state). Operators mutate values in place after `get`, so a `get` counts as
 * a change; iterating values (`entries`, `values`, `forEach`, for-of) marks every key, which is
 * correct for any operator and costs a full write only when it happens (after a restore).
 */
class TrackedMap<V> extends Map<string, V> {
  readonly touched = new Set<string>();
  all = false;

  override get(key: string): V | undefined {
    this.touched.add(key);
    return super.get(key);
  }
  override set(key: string, value: V): this {
    // Map's constructor calls set before the field initializers have run.
    this.touched?.add(key);
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.touched.add(key);
    return super.delete(key);
  }
  override clear(): void {
    for (const k of super.keys()) this.touched.add(k);
    super.clear();
  }
  override entries(): MapIterator<[string, V]> {
    this.all = true;
    return super.entries();
  }
  override values(): MapIterator<V> {
    this.all = true;
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.all = true;
    return super[Symbol.iterator]();
  }
  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.all = true;
    super.forEach(fn, thisArg);
  }

  changes(): { set: [string, unknown][]; deleted: string[] } {
    const set: [string, unknown][] = [];
    const deleted: string[] = [];
    // super's iterator: reading what changed must not mark everything changed.
    const keys = this.all ? new Set([...this.touched, ...Map.prototype.keys.call(this)]) : this.touched;
    for (const k of keys) {
      if (Map.prototype.has.call(this, k)) set.push([k, Map.prototype.get.call(this, k)]);
      else deleted.push(k);
    }
    return { set, deleted };
  }

  markClean(): void {
    this.touched.clear();
    this.all = false;
  }
}

/** In-memory stores: the embedded runtime's, and the base of the BullMQ one. */
export class MemoryStateRegistry implements StateRegistry {
  private readonly keyedStores = new Map<string, Map<string, unknown> | KeyedColumns>();
  private readonly values = new Map<string, { v: unknown }>();

  /** `track`: remember changed keys for `keyedChanges` (BullMQ's incremental commits). */
  constructor(private readonly options: { track?: boolean } = {}) {}

  keyed<T>(name: string): KeyedState<T> {
    let m = this.keyedStores.get(name);
    if (m !== undefined && !(m instanceof Map)) throw new Error(`state ${name} is declared as columns, not as a keyed store`);
    if (!m) {
      m = this.options.track ? new TrackedMap() : new Map();
      this.keyedStores.set(name, m);
    }
    return m as Map<string, T>;
  }

  columns<S extends KeyedColumns>(name: string, create: (track: boolean) => S): S {
    if (this.keyedStores.has(name)) throw new Error(`state ${name} is declared twice`);
    const store = create(this.options.track === true);
    this.keyedStores.set(name, store);
    return store;
  }

  value<T>(name: string, initial: T): ValueState<T> {
    let cell = this.values.get(name);
    if (!cell) {
      cell = { v: initial };
      this.values.set(name, cell);
    }
    const c = cell;
    return { get: () => c.v as T, set: (v: T) => void (c.v = v) };
  }

  /**
   * The declared state as plain data. `clone: false` shares the live objects: only for a caller
   * that serializes the snapshot at once (the BullMQ commit packs it), never for one that keeps it.
   */
  snapshot(options: { clone?: boolean; keyed?: boolean } = {}): StateSnapshot {
    const copy = options.clone === false ? <T>(v: T) => v : <T>(v: T) => structuredClone(v);
    const snap: StateSnapshot = {};
    for (const [name, m] of this.keyedStores) {
      // keyed: false: the stores are listed, empty (their entries travel as changes).
      const entries = options.keyed === false ? [] : m instanceof Map ? [...Map.prototype.entries.call(m)] : m.entries();
      snap[name] = { kind: 'keyed', entries: copy(entries) };
    }
    for (const [name, c] of this.values) snap[name] = { kind: 'value', value: copy(c.v) };
    return snap;
  }

  /**
   * One key's value in a keyed store, as plain data (a copy), whatever its layout. Scans a
   * columns store's entries: for a reader that asks rarely (the stream debugger), not a hot path.
   */
  entryOf(name: string, key: string): unknown {
    const m = this.keyedStores.get(name);
    if (m === undefined) return undefined;
    if (m instanceof Map) return structuredClone(Map.prototype.get.call(m, key));
    return m.entries().find(([k]) => k === key)?.[1];
  }

  /** Keys changed since the last `markClean` (live values: serialize at once). Needs `track`. */
  keyedChanges(): KeyedChanges {
    const out: KeyedChanges = {};
    for (const [name, m] of this.keyedStores) {
      if (!this.options.track || (m instanceof Map && !(m instanceof TrackedMap))) {
        throw new Error('keyedChanges needs a registry created with { track: true }');
      }
      const c = (m as TrackedMap<unknown> | KeyedColumns).changes();
      if (c.set.length > 0 || c.deleted.length > 0) out[name] = c;
    }
    return out;
  }

  /** What is in memory is what is committed: changes count from here. */
  markClean(): void {
    for (const m of this.keyedStores.values()) if (m instanceof TrackedMap || !(m instanceof Map)) m.markClean();
  }

  /** Replace the contents of declared stores (objects stay the same, so operators' handles work). */
  restore(snap: StateSnapshot): void {
    for (const [name, s] of Object.entries(snap)) {
      const columns = this.keyedStores.get(name);
      if (s.kind === 'keyed' && columns !== undefined && !(columns instanceof Map)) columns.restore(structuredClone(s.entries));
      else if (s.kind === 'keyed') {
        const m = this.keyed<unknown>(name) as unknown as Map<string, unknown>;
        m.clear();
        for (const [k, v] of structuredClone(s.entries)) m.set(k, v);
      } else {
        this.value<unknown>(name, undefined).set(structuredClone(s.value));
      }
    }
    this.markClean();
  }
}
