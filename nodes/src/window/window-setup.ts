/**
 * What a window config sets up once for the operator (operator.ts) and its combiner
 * (combiner.ts) alike: durations in ms, the compiled aggregates, and the key's readers,
 * writers and state key function, so both read and write keys the same way.
 */
import { durationMs, type Event, type FieldReader, fieldReader } from '@sluice/shared';
import { type KeyFn, keyFunction } from '../sdk/state-key.js';
import { Aggregates } from './aggregates.js';
import type { WindowConfig } from './definition.js';
import { type FieldWriter, fieldWriter } from './field-writer.js';
import { type InternKey, internKeyOfEvent } from './intern-key.js';

export class WindowSetup {
  readonly session: boolean;
  /** Tumbling and sliding: window length, and how often one starts (= size when tumbling). */
  readonly size: number;
  readonly slide: number;
  /** Sessions: a session ends `gap` after its last event. */
  readonly gap: number;
  readonly lateness: number;
  readonly aggs: Aggregates;
  /** The state key of an event (sdk/state-key.ts). */
  readonly key: KeyFn;
  readonly keyReaders: FieldReader[];
  readonly keyWriters: FieldWriter[];
  readonly keyNames: readonly string[];

  constructor(c: WindowConfig) {
    this.session = c.type === 'session';
    this.size = c.size === undefined ? 0 : durationMs(c.size);
    this.slide = c.slide === undefined || c.type === 'tumbling' ? this.size : durationMs(c.slide);
    this.gap = c.gap === undefined ? 0 : durationMs(c.gap);
    if (this.session ? !(this.gap > 0) : !(this.size > 0 && this.slide > 0)) {
      throw new Error(`window: a ${c.type} window needs a ${this.session ? 'gap' : 'size and slide'} longer than 0`);
    }
    this.lateness = durationMs(c.allowedLateness);
    this.aggs = new Aggregates(c.aggregates);
    this.key = keyFunction(c.keyBy);
    this.keyReaders = c.keyBy.map(fieldReader);
    this.keyWriters = c.keyBy.map(fieldWriter);
    this.keyNames = c.keyBy;
  }

  /** The event's key for interning: a finite number as it is, else its state key (intern-key.ts). */
  internKey(e: Event): InternKey {
    return internKeyOfEvent(e, this.keyReaders, this.key);
  }

  /** What WindowColumns keeps of an event's keyBy values: the value with one field, else the array. */
  keyValue(e: Event): unknown {
    const readers = this.keyReaders;
    if (readers.length === 1) return readers[0]!(e);
    return this.keyValues(e);
  }

  /** An event's keyBy values, an array made at its size (a push into an empty array reserves 17 slots). */
  keyValues(e: Event): unknown[] {
    const readers = this.keyReaders;
    const k = new Array(readers.length);
    for (let i = 0; i < readers.length; i++) k[i] = readers[i]!(e);
    return k;
  }

  /** Writes an event's keyBy values into `row` as a window result writes them. */
  writeKeys(row: Record<string, unknown>, e: Event): void {
    for (let i = 0; i < this.keyWriters.length; i++) this.keyWriters[i]!(row, this.keyReaders[i]!(e) ?? null);
  }
}
