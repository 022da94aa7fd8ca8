/**
 * How source.postgres turns PostgreSQL values into JSON-friendly event fields. Set per
 * connection (pg's global parsers are shared with the engine's own PostgreSQL store).
 *
 * - bigint: a number when it is a safe integer, else the exact decimal string.
 * - numeric: a number when the double reads back as the same decimal, else the string
 *   (`12.50` -> 12.5; `0.1` -> 0.1; 30 significant digits stay a string).
 * - timestamptz: an ISO-8601 string in UTC with milliseconds (`2026-01-01T10:00:00.000Z`).
 * - timestamp (without time zone): read as UTC, same form. date, time, interval: PostgreSQL's text.
 * - bytea: PostgreSQL's hex text (`\x01ff`). json/jsonb, booleans, other numbers: pg's defaults.
 */
import pg from 'pg';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INTERVAL = 1186;
const BYTEA = 17;

export function int8Value(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

export function numericValue(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text; // NaN, Infinity
  return String(n) === canonicalDecimal(text) ? n : text;
}

/** `-012.3400` -> `-12.34`, `5.000` -> `5`, `-0.0` -> `0`: the form String(number) writes. */
function canonicalDecimal(text: string): string {
  let s = text.trim();
  let sign = '';
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1);
  }
  let [int = '', frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac === '' ? int : `${int}.${frac}`;
  return out === '0' ? '0' : sign + out;
}

function isoOr(text: string, date: Date): string {
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

const defaultTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date;

export function timestamptzValue(text: string): string {
  return isoOr(text, defaultTimestamptz(text));
}

export function timestampValue(text: string): string {
  // `2026-01-01 10:00:00.123456` (or with a BC suffix, infinity): ISO when it reads as one.
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? isoOr(text, new Date(`${text.replace(' ', 'T')}Z`)) : text;
}

const identity = (text: string): string => text;

const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: int8Value,
  [NUMERIC]: numericValue,
  [TIMESTAMP]: timestampValue,
  [TIMESTAMPTZ]: timestamptzValue,
  [DATE]: identity,
  [INTERVAL]: identity,
  [BYTEA]: identity,
};

export const jsonFriendlyTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text' && PARSERS[oid]
      ? PARSERS[oid]
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};
