/**
 * A batch of flat events of one shape (the same keys in the same order, values strings, numbers,
 * booleans or null) as columns in one buffer: every number (event time, ingest time, number and
 * boolean columns, string columns as indices) in one Float64Array, every distinct string once in
 * a table (a key such as campaign_id repeats: it is interned, and with a link's dictionary it
 * crosses once per run, then as its number), and columns whose
 * values mix kinds as JSON beside it. Profiled on keyed YSB, this costs a fraction of V8's
 * serializer, which walks every object and writes every property name again for each event.
 * Anything else (nested values, differing shapes, -0, NaN in a mixed column) is not encoded here:
 * `encodeColumnar` answers undefined and the caller uses the serializer.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';

/** Column kinds: numbers, strings (table indices), booleans (0/1), mixed scalars (JSON in the header). */
type Kind = 'n' | 's' | 'b' | 'm';

/** What a batch carries beyond its numbers, only when it has any (JSON after the numbers). */
interface Extra {
  /** The columns, when the link has not numbered this schema (or there is no link dictionary). */
  keys?: string[];
  kinds?: Kind[];
  /** Strings of this batch alone (indices -1 - i). */
  strings?: string[];
  /** New entries of the link's dictionary, in order of their numbers. */
  added?: string[];
  mixed?: (string | number | boolean | null)[][];
  behind?: [number, number][];
}

/** Where the numbers start: [u8 codec][u8 0][u16 0][u32 extra length][f64 n][f64 width][f64 schema]. */
const NUMBERS_AT = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Byte 0 of a buffer: which codec wrote it (thread-batch-codec.ts). */
export const COLUMNAR = 1;

function kindOf(v: unknown): Kind | undefined {
  switch (typeof v) {
    case 'number':
      return 'n';
    case 'string':
      return 's';
    case 'boolean':
      return 'b';
    case 'object':
      return v === null ? 'm' : undefined;
    default:
      return undefined;
  }
}

/** Values a column samples before it decides whether interning its strings pays. */
const SAMPLE = 16;
/** Strings one link's dictionary holds at most; later new strings travel in their batch's own table. */
export const DICTIONARY_LIMIT = 1 << 16;

/**
 * The sender's half of a link's string dictionary (one per pair of threads, per run): a string
 * of an interned column (a key) crosses once, then as its number. Batches on one port are
 * decoded in the order they were encoded, so the receiver's half (`string[]`) grows in step.
 */
export class SendDictionary {
  readonly ids = new Map<string, number>();
  private readonly schemas = new Map<string, number>();

  /**
   * A batch's columns: their number when this link knows them (n >= 0); the first time, -2 - n
   * for the number they get now (the batch carries them, the receiver numbers them so); -1 when
   * the link numbers no more schemas (every batch carries them).
   */
  schema(keys: readonly string[], kinds: readonly Kind[]): number {
    const key = `${kinds.join('')}|${keys.join('\u0000')}`;
    const known = this.schemas.get(key);
    if (known !== undefined) return known;
    if (this.schemas.size >= SCHEMA_LIMIT) return -1;
    this.schemas.set(key, this.schemas.size);
    return -2 - (this.schemas.size - 1);
  }
  /** Per column: values looked up and values new to the dictionary. */
  private readonly stats = new Map<string, { seen: number; added: number }>();

  /** A column goes through the dictionary for its first values, then while under half of them are new. */
  pays(column: string): boolean {
    const s = this.stats.get(column);
    return s === undefined || s.seen < TRIAL || s.added * 2 < s.seen;
  }

  count(column: string, seen: number, added: number): void {
    const s = this.stats.get(column);
    if (s) {
      s.seen += seen;
      s.added += added;
    } else this.stats.set(column, { seen, added });
  }
}

/** Schemas (column names and kinds) one link numbers at most. */
const SCHEMA_LIMIT = 1024;
/** Values of a column looked up in a link's dictionary before it judges whether that pays. */
const TRIAL = 1024;

/** Numbers of the batch being encoded: grown as needed, copied into each batch's own buffer. */
let scratch = new Float64Array(4096);

/**
 * The batch as one transferable buffer, or undefined when it is not flat and of one shape. With
 * `fields` (the projection the stage across the exchange reads, compile/projection.ts) only those
 * columns, each of which every event must have. With `dict`, interned strings use the link's
 * dictionary (decode with the receiver's half); string indices >= 0 are dictionary entries,
 * negative ones (-1 - i) entries of the batch's own table.
 */
export function encodeColumnar(events: readonly Event[], fields?: readonly string[], dict?: SendDictionary): ArrayBuffer | undefined {
  const added: string[] = [];
  const buf = encode(events, fields, dict, added);
  // A batch that is not sent after all takes its new entries back: the receiver never sees them.
  if (buf === undefined) for (const s of added) dict!.ids.delete(s);
  return buf;
}

function encode(
  events: readonly Event[],
  fields: readonly string[] | undefined,
  dict: SendDictionary | undefined,
  added: string[],
): ArrayBuffer | undefined {
  const n = events.length;
  if (n === 0) return undefined;
  const keys = fields ? [...fields] : Object.keys(events[0]!);
  const width = keys.length;
  if (!fields)
    for (let i = 1; i < n; i++) {
      let j = 0;
      for (const k in events[i]) if (j >= width || k !== keys[j++]) return undefined;
      if (j !== width) return undefined;
    }
  const size = (2 + width) * n;
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, scratch.length * 2));
  const numbers = scratch;
  const kinds: Kind[] = [];
  const strings: string[] = [];
  const mixed: NonNullable<Extra['mixed']> = [];
  let local: Map<string, number> | undefined;
  for (let j = 0; j < width; j++) {
    const key = keys[j]!;
    const at = (2 + j) * n;
    let kind = kindOf((events[0] as Record<string, unknown>)[key]);
    if (kind === undefined) return undefined;
    let i = 0;
    if (kind === 'n')
      for (; i < n; i++) {
        const v = (events[i] as Record<string, unknown>)[key];
        if (typeof v !== 'number') break;
        numbers[at + i] = v;
      }
    else if (kind === 'b')
      for (; i < n; i++) {
        const v = (events[i] as Record<string, unknown>)[key];
        if (typeof v !== 'boolean') break;
        numbers[at + i] = v ? 1 : 0;
      }
    else if (kind === 's') {
      // A key such as campaign_id repeats: interned (through the link's dictionary while it pays).
      // An id unique per event is not worth a lookup.
      const ids = dict?.pays(key) ? dict.ids : undefined;
      let intern = ids !== undefined;
      if (!intern) {
        const sample = new Set<unknown>();
        for (let k = 0; k < n && k < SAMPLE; k++) sample.add((events[k] as Record<string, unknown>)[key]);
        intern = sample.size <= Math.min(n, SAMPLE) / 2;
      }
      const before = added.length;
      for (; i < n; i++) {
        const v = (events[i] as Record<string, unknown>)[key];
        if (typeof v !== 'string') break;
        let s = ids?.get(v);
        if (s === undefined && ids !== undefined && ids.size < DICTIONARY_LIMIT) {
          s = ids.size;
          ids.set(v, s);
          added.push(v);
        }
        if (s === undefined) {
          if (intern) {
            local ??= new Map();
            s = local.get(v);
            if (s === undefined) local.set(v, (s = -strings.push(v)));
          } else s = -strings.push(v);
        }
        numbers[at + i] = s;
      }
      if (ids !== undefined) dict!.count(key, i, added.length - before);
    }
    if (i < n) {
      // Values of more than one kind: the column goes as JSON.
      kind = 'm';
      const col = new Array<string | number | boolean | null>(n);
      for (let k = 0; k < n; k++) {
        const v = (events[k] as Record<string, unknown>)[key];
        // Nested values, a missing field, and numbers JSON would change are not for this codec.
        if (kindOf(v) === undefined || (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)))) return undefined;
        col[k] = v as string | number | boolean | null;
      }
      mixed.push(col);
    }
    kinds.push(kind);
  }
  const behind: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    numbers[i] = e[EVENT_TIME] ?? 0;
    numbers[n + i] = e[INGEST_TIME] ?? 0;
    const sw = e[SOURCE_WATERMARK];
    if (sw !== undefined) behind.push([i, sw]);
  }
  // The columns' names and kinds cross once per link, then as the schema's number.
  const known = dict?.schema(keys, kinds) ?? -1;
  const schema = known < -1 ? -2 - known : known;
  const extra: Extra = {};
  let any = known < 0;
  if (known < 0) {
    extra.keys = keys;
    extra.kinds = kinds;
  }
  if (strings.length > 0) any = extra.strings = strings as never;
  if (added.length > 0) any = extra.added = added as never;
  if (mixed.length > 0) any = extra.mixed = mixed as never;
  if (behind.length > 0) any = extra.behind = behind as never;
  const tail = any ? encoder.encode(JSON.stringify(extra)) : undefined;
  const buf = new ArrayBuffer(NUMBERS_AT + size * 8 + (tail?.length ?? 0));
  const view = new DataView(buf);
  view.setUint8(0, COLUMNAR);
  view.setUint32(4, tail?.length ?? 0, true);
  view.setFloat64(8, n, true);
  view.setFloat64(16, width, true);
  view.setFloat64(24, schema, true);
  new Float64Array(buf, NUMBERS_AT, size).set(size === scratch.length ? scratch : scratch.subarray(0, size));
  if (tail) new Uint8Array(buf, NUMBERS_AT + size * 8).set(tail);
  return buf;
}

/** The receiver's half of a link's dictionary: strings and schemas, numbered as the sender numbered them. */
export class ReceiveDictionary {
  readonly strings: string[] = [];
  readonly schemas: { keys: string[]; kinds: Kind[] }[] = [];
}

/**
 * Fresh events (owned by the receiver), from a buffer encodeColumnar wrote. `dict` is the
 * receiver's half of the link's dictionary (required when the sender used one): the batch's new
 * entries are appended to it first.
 */
export function decodeColumnar(buf: ArrayBuffer, dict = new ReceiveDictionary()): Event[] {
  const view = new DataView(buf);
  const tailLength = view.getUint32(4, true);
  const n = view.getFloat64(8, true);
  const width = view.getFloat64(16, true);
  const schema = view.getFloat64(24, true);
  const size = (2 + width) * n;
  const extra: Extra = tailLength > 0 ? (JSON.parse(decoder.decode(new Uint8Array(buf, NUMBERS_AT + size * 8, tailLength))) as Extra) : {};
  // Columns carried with a number: the link's from now on; carried without: this batch's alone.
  if (extra.keys && schema >= 0) dict.schemas[schema] = { keys: extra.keys, kinds: extra.kinds! };
  const { keys, kinds } = extra.keys ? (extra as Required<Extra>) : dict.schemas[schema]!;
  const strings = extra.strings ?? [];
  const mixed = extra.mixed ?? [];
  const table = dict.strings;
  if (extra.added) for (const s of extra.added) table.push(s);
  const numbers = new Float64Array(buf, NUMBERS_AT, size);
  const out = new Array<Event>(n);
  for (let i = 0; i < n; i++) {
    const e = {} as Record<string | symbol, unknown>;
    let m = 0;
    for (let j = 0; j < keys.length; j++) {
      const kind = kinds[j];
      const v = numbers[(2 + j) * n + i]!;
      e[keys[j]!] = kind === 'n' ? v : kind === 's' ? (v >= 0 ? table[v] : strings[-1 - v]) : kind === 'b' ? v === 1 : mixed[m++]![i];
    }
    e[EVENT_TIME] = numbers[i];
    const ingest = numbers[n + i]!;
    if (ingest) e[INGEST_TIME] = ingest;
    out[i] = e as Event;
  }
  if (extra.behind) for (const [i, sw] of extra.behind) (out[i] as Record<symbol, unknown>)[SOURCE_WATERMARK] = sw;
  return out;
}
