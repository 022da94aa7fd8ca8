/**
 * A batch of events of one shape (the same keys in the same order, or the exchange's projected
 * fields, each present in every event) as columns, for a BullMQ job: each column the narrowest of
 * a few codings, packed by MessagePack as raw bytes. Profiled on YSB across BullMQ, the row
 * format (a MessagePack record per event) spent a third of a worker's time on the bytes: packing
 * them, base64, ioredis copying them into the socket, Redis keeping them and handing them back,
 * and unpacking. A YSB window job carries one interned campaign id and two times per event:
 * about 6 bytes where the rows took about 55. Values round-trip exactly (a number column that is
 * not all small integers travels as float64; anything not a plain scalar travels in a MessagePack
 * array of its own). Batches of mixed shapes are not columns: `toColumns` answers undefined.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';

/**
 * A column of numbers: one value for all ('k'), int32 offsets from a base ('i'), or float64 ('f').
 * Bytes are little-endian, as this machine's typed arrays (every platform Node runs on).
 */
export type NumberColumn = ['k', number] | ['i', number, Uint8Array] | ['f', Uint8Array];
/** Scalars other than numbers, interned: the table, then indices of 1, 2 or 4 bytes. */
type InternedColumn = ['s', unknown[], Uint8Array, 1 | 2 | 4];
/** Anything else, as it is (MessagePack keeps nested values, undefined, NaN...). */
type ValueColumn = ['a', unknown[]];
type Column = NumberColumn | InternedColumn | ValueColumn;

export interface Columns {
  /** How many events. */
  n: number;
  keys: string[];
  cols: Column[];
  time: NumberColumn;
  /** 0 where an event has no ingest time. */
  ingest: NumberColumn;
  behind: [number, number][];
}

/**
 * Values a string column samples before it decides whether interning pays: enough that YSB's 100
 * campaigns repeat in it (they would not in 16), few enough that a column of ids costs little.
 */
const SAMPLE = 256;

/** The events as columns, or undefined when they are not of one shape. */
export function toColumns(events: readonly Event[], fields?: readonly string[]): Columns | undefined {
  const n = events.length;
  const rows = events as readonly Record<string, unknown>[];
  const keys = fields ? [...fields] : Object.keys(rows[0]!);
  const width = keys.length;
  if (fields) {
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) if (!(keys[j]! in rows[i]!)) return undefined;
  } else
    for (let i = 1; i < n; i++) {
      let j = 0;
      for (const k in rows[i]) if (j >= width || k !== keys[j++]) return undefined;
      if (j !== width) return undefined;
    }
  const cols: Column[] = [];
  const values = new Array<unknown>(n);
  for (let j = 0; j < width; j++) {
    const key = keys[j]!;
    for (let i = 0; i < n; i++) values[i] = rows[i]![key];
    cols.push(columnOf(values));
  }
  const time = new Array<number>(n);
  const ingest = new Array<number>(n);
  const behind: [number, number][] = [];
  stamps(events, time, ingest, behind);
  return { n, keys, cols, time: numberColumn(time)!, ingest: numberColumn(ingest)!, behind };
}

/**
 * Event time, ingest time (0: none) and source-watermark stamps. A stamp an event lacks is asked
 * with `in` first: reading a missing symbol from events an operator copied (spread,
 * Object.assign) took 0.5 us an event, `in` 0.02 us (Node 20, measured on YSB's enriched events).
 */
export function stamps(events: readonly Event[], time: number[], ingest: number[], behind: [number, number][]): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    time[i] = EVENT_TIME in e ? (e[EVENT_TIME] ?? 0) : 0;
    ingest[i] = INGEST_TIME in e ? (e[INGEST_TIME] ?? 0) : 0;
    if (SOURCE_WATERMARK in e && e[SOURCE_WATERMARK] !== undefined) behind.push([i, e[SOURCE_WATERMARK]]);
  }
}

/** Fresh events from columns (owned by the receiver). */
export function fromColumns(c: Columns): Event[] {
  const { n, keys } = c;
  const read = c.cols.map(columnReader);
  const time = numberReader(c.time);
  const ingest = numberReader(c.ingest);
  const out = new Array<Event>(n);
  for (let i = 0; i < n; i++) {
    const e: Record<string | symbol, unknown> = {};
    for (let j = 0; j < keys.length; j++) e[keys[j]!] = read[j]!(i);
    e[EVENT_TIME] = time(i);
    const t = ingest(i);
    if (t) e[INGEST_TIME] = t;
    out[i] = e as Event;
  }
  for (const [i, sw] of c.behind) (out[i] as Record<symbol, unknown>)[SOURCE_WATERMARK] = sw;
  return out;
}

function columnOf(values: readonly unknown[]): Column {
  let numbers = true;
  let scalars = true;
  for (const v of values) {
    const t = typeof v;
    if (t !== 'number') numbers = false;
    if (!(t === 'string' || t === 'boolean' || v === null)) scalars = false;
    if (!numbers && !scalars) break;
  }
  if (numbers) return numberColumn(values as number[])!;
  if (scalars) return internedColumn(values) ?? ['a', values.slice()];
  return ['a', values.slice()];
}

/** The narrowest coding of a number column. */
export function numberColumn(values: readonly number[]): NumberColumn {
  const first = values[0] ?? 0;
  let same = true;
  let ints = Number.isInteger(first) && !Object.is(first, -0);
  let min = first;
  let max = first;
  for (const v of values) {
    if (!Object.is(v, first)) same = false;
    if (ints && (!Number.isInteger(v) || Object.is(v, -0))) ints = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (same) return ['k', first];
  if (ints && max - min <= 0x7fffffff) {
    const offsets = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) offsets[i] = values[i]! - min;
    return ['i', min, bytesOf(offsets)];
  }
  return ['f', bytesOf(Float64Array.from(values))];
}

function internedColumn(values: readonly unknown[]): InternedColumn | undefined {
  const sample = new Set<unknown>();
  for (let i = 0; i < values.length && i < SAMPLE; i++) sample.add(values[i]);
  // An id unique per event is not worth a lookup.
  if (sample.size > Math.min(values.length, SAMPLE) / 2) return undefined;
  const index = new Map<unknown, number>();
  const table: unknown[] = [];
  const at = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let s = index.get(v);
    if (s === undefined) {
      s = table.push(v) - 1;
      index.set(v, s);
    }
    at[i] = s;
  }
  if (table.length > values.length / 2) return undefined;
  if (table.length <= 0x100) return ['s', table, bytesOf(Uint8Array.from(at)), 1];
  if (table.length <= 0x10000) return ['s', table, bytesOf(Uint16Array.from(at)), 2];
  return ['s', table, bytesOf(at), 4];
}

function bytesOf(a: Int32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Unpacked bytes may sit at any offset: copied to a fresh (aligned) buffer before a wider view. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer;
}

function numberReader(c: NumberColumn): (i: number) => number {
  if (c[0] === 'k') {
    const v = c[1];
    return () => v;
  }
  if (c[0] === 'i') {
    const base = c[1];
    const offsets = new Int32Array(aligned(c[2]));
    return (i) => base + offsets[i]!;
  }
  const values = new Float64Array(aligned(c[1]));
  return (i) => values[i]!;
}

function columnReader(c: Column): (i: number) => unknown {
  if (c[0] === 'a') {
    const values = c[1];
    return (i) => values[i];
  }
  if (c[0] === 's') {
    const table = c[1];
    const width = c[3];
    const at = width === 1 ? c[2] : width === 2 ? new Uint16Array(aligned(c[2])) : new Uint32Array(aligned(c[2]));
    return (i) => table[at[i]!];
  }
  return numberReader(c);
}
