/**
 * Declared operator state. The runtime creates the stores, so it can snapshot them (BullMQ
 * commits state with the id of the last batch applied) and restore them, without knowing what
 * an operator keeps. Values must be plain JSON-serializable data.
 */
export interface KeyedState<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, T]>;
  readonly size: number;
}

export interface ValueState<T> {
  get(): T;
  set(value: T): void;
}

export interface StateRegistry {
  keyed<T>(name: string): KeyedState<T>;
  value<T>(name: string, initial: T): ValueState<T>;
}

export type StateSnapshot = Record<string, { kind: 'keyed'; entries: [string, unknown][] } | { kind: 'value'; value: unknown }>;

/** In-memory stores: the embedded runtime's, and the base of the BullMQ one. */
export class MemoryStateRegistry implements StateRegistry {
  private readonly keyedStores = new Map<string, Map<string, unknown>>();
  private readonly values = new Map<string, { v: unknown }>();

  keyed<T>(name: string): KeyedState<T> {
    let m = this.keyedStores.get(name);
    if (!m) {
      m = new Map();
      this.keyedStores.set(name, m);
    }
    return m as Map<string, T>;
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
  snapshot(options: { clone?: boolean } = {}): StateSnapshot {
    const copy = options.clone === false ? <T>(v: T) => v : <T>(v: T) => structuredClone(v);
    const snap: StateSnapshot = {};
    for (const [name, m] of this.keyedStores) snap[name] = { kind: 'keyed', entries: copy([...m]) };
    for (const [name, c] of this.values) snap[name] = { kind: 'value', value: copy(c.v) };
    return snap;
  }

  /** Replace the contents of declared stores (objects stay the same, so operators' handles work). */
  restore(snap: StateSnapshot): void {
    for (const [name, s] of Object.entries(snap)) {
      if (s.kind === 'keyed') {
        const m = this.keyed<unknown>(name) as unknown as Map<string, unknown>;
        m.clear();
        for (const [k, v] of structuredClone(s.entries)) m.set(k, v);
      } else {
        this.value<unknown>(name, undefined).set(structuredClone(s.value));
      }
    }
  }
}
