/**
 * Event times: epoch milliseconds, or an ISO 8601 / RFC 3339 date or date-time. A date-time
 * without an offset is UTC, never the machine's zone, so a pipeline gives the same times on
 * every server (docs/graph-format.md). Everything else is refused: `Date.parse` would take
 * "1/2/2026" or "January 1, 2026" and read zone-less times in local time.
 */

export const TIME_HINT = 'use epoch milliseconds (1767261600000) or ISO 8601 (2026-01-01T10:00:00Z; no offset means UTC)';

const EPOCH_MS_RE = /^-?\d+(\.\d+)?$/;
// date [T|space time [fraction] [Z|±hh[:]mm|±hh]]
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Offset from UTC in ms, or undefined when out of range. */
function offsetMs(z: string | undefined): number | undefined {
  if (z === undefined || z === 'Z' || z === 'z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (h > 23 || m > 59) return undefined;
  return sign * (h * 60 + m) * 60_000;
}

function parseIso(s: string): number | undefined {
  const m = ISO_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMs(m[8]);
  if (offset === undefined) return undefined;
  // Milliseconds precision: further fraction digits are cut, not rounded.
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  return d.getTime() - offset;
}

/** Epoch ms of a time value, or undefined when it is not one (see TIME_HINT). */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (EPOCH_MS_RE.test(s)) return Number(s);
  return parseIso(s);
}

/** Epoch ms of a time value; throws naming the value when it is not one. */
export function timeMs(v: unknown, where = 'time'): number {
  const t = parseTime(v);
  if (t === undefined) throw new Error(`${where}: ${JSON.stringify(v)} is not a time (${TIME_HINT})`);
  return t;
}
