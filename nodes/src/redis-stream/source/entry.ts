/**
 * One stream entry -> one record, or the reason it cannot be one. Pure (no Redis), so the
 * decoding rules are tested on their own. Records are fresh objects: the source stamps them in place.
 */
import type { Event } from '@sluice/shared';

/** An entry as ioredis returns it: id, then fields as [name, value, name, value, ...]. */
export type StreamEntry = [id: string, fields: string[]];

export type Decoded = { record: Record<string, unknown> } | { bad: Event; error: string };

/** Raw text kept on an error event: enough to recognise the entry, bounded. */
const RAW_CHARS = 1000;

export interface DecodeOptions {
  format: 'json' | 'fields';
  field: string;
}

export function decodeEntry([id, fields]: StreamEntry, o: DecodeOptions): Decoded {
  if (o.format === 'fields') return { record: fieldsObject(fields) };
  let raw: string | undefined;
  // The last occurrence wins, as for format fields (XADD accepts a name twice).
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === o.field) raw = fields[i + 1];
  if (raw === undefined) return { bad: { _id: id, _fields: fieldsObject(fields) }, error: `entry ${id}: no field "${o.field}"` };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return {
      bad: { _id: id, _raw: raw.slice(0, RAW_CHARS) },
      error: `entry ${id}: field "${o.field}" is not JSON (${(err as Error).message})`,
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { bad: { _id: id, _raw: raw.slice(0, RAW_CHARS) }, error: `entry ${id}: field "${o.field}" is not a JSON object` };
  }
  return { record: value as Record<string, unknown> };
}

/** Entry fields as an object of strings. fromEntries defines own properties: "__proto__" stays a field. */
function fieldsObject(fields: readonly string[]): Record<string, string> {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([fields[i]!, fields[i + 1]!]);
  return Object.fromEntries(pairs);
}
