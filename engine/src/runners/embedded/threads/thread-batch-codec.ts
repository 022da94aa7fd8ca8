/**
 * A batch as it crosses between threads: one buffer, columnar when the events are flat and of one
 * shape (columnar-batch.ts), else V8's serializer (what structured clone
 * uses: on YSB events about 5x faster than MessagePack here) in an ArrayBuffer of its own,
 * moved (transferred), not copied, by postMessage. Event metadata lives in symbol-keyed
 * properties, which the serializer does not carry, so event time, ingest time
 * and the source-watermark stamps travel beside the events and are put back on arrival (as the
 * BullMQ codec does for its jobs). Values round-trip as in memory.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { deserialize, serialize } from 'node:v8';
import { COLUMNAR, decodeColumnar, encodeColumnar, type ReceiveDictionary, type SendDictionary } from './columnar-batch.js';

interface Payload {
  events: Record<string, unknown>[];
  times: number[];
  ingest: number[];
  behind: [number, number][];
}

/**
 * The events as a transferable buffer (never a view into a shared pool). With `fields` (what the
 * stage across the exchange reads, compile/projection.ts), only those fields travel: a wide event
 * feeding a window sends its key, not all of it. With `dict` (a link's, columnar-batch.ts),
 * repeated strings cross as numbers; the receiver decodes with its half, in the same order.
 */
export function encodeBatch(events: readonly Event[], fields?: readonly string[], dict?: SendDictionary): ArrayBuffer {
  return encodeColumnar(events, fields, dict) ?? encodeSerialized(fields ? events.map((e) => project(e, fields)) : events);
}

/** The fields the receiver reads (the stamps travel beside them). */
function project(e: Event, fields: readonly string[]): Event {
  const out: Record<string | symbol, unknown> = {};
  for (const f of fields) if (f in e) out[f] = (e as Record<string, unknown>)[f];
  out[EVENT_TIME] = e[EVENT_TIME];
  if (e[INGEST_TIME] !== undefined) out[INGEST_TIME] = e[INGEST_TIME];
  if (e[SOURCE_WATERMARK] !== undefined) out[SOURCE_WATERMARK] = e[SOURCE_WATERMARK];
  return out as Event;
}

/** Fresh events, owned by the receiver; `dict` is the receiver's half of the link's dictionary. */
export function decodeBatch(buf: ArrayBuffer, dict?: ReceiveDictionary): Event[] {
  return new Uint8Array(buf, 0, 1)[0] === COLUMNAR ? decodeColumnar(buf, dict) : decodeSerialized(buf);
}

/** V8's serializer, after a 0 byte (columnar buffers start with COLUMNAR). */
function encodeSerialized(events: readonly Event[]): ArrayBuffer {
  const times = new Array<number>(events.length);
  const ingest = new Array<number>(events.length);
  const behind: [number, number][] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    times[i] = e[EVENT_TIME] ?? 0;
    ingest[i] = e[INGEST_TIME] ?? 0;
    const sw = e[SOURCE_WATERMARK];
    if (sw !== undefined) behind.push([i, sw]);
  }
  const packed = serialize({ events: events as Record<string, unknown>[], times, ingest, behind } satisfies Payload);
  const own = new Uint8Array(packed.length + 1);
  own.set(packed, 1);
  return own.buffer;
}

function decodeSerialized(buf: ArrayBuffer): Event[] {
  const { events, times, ingest, behind } = deserialize(new Uint8Array(buf, 1)) as Payload;
  const out = events as Record<string | symbol, unknown>[];
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!;
    e[EVENT_TIME] = times[i];
    if (ingest[i]) e[INGEST_TIME] = ingest[i];
  }
  for (const [i, sw] of behind) out[i]![SOURCE_WATERMARK] = sw;
  return out as Event[];
}
