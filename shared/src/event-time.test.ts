import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseTime, timeMs } from './event-time.js';

// A zone that is not UTC, so a parser that reads zone-less times as local time is caught.
// Node applies a TZ assigned at run time to later Date calls; each test file runs in its own fork.
beforeAll(() => vi.stubEnv('TZ', 'America/New_York'));
afterAll(() => vi.unstubAllEnvs());

// 2026-01-01T00:00:00Z, computed by hand: 20454 days since 1970 x 86 400 000 ms.
const NEW_YEAR = 1_767_225_600_000;
const HOUR = 3_600_000;

describe('parseTime under TZ=America/New_York', () => {
  it('really runs in a zone 5 hours behind UTC in January', () => {
    expect(new Date(NEW_YEAR).getTimezoneOffset()).toBe(300);
    // The bug being fixed: Date.parse reads a zone-less date-time in local time.
    expect(Date.parse('2026-01-01T10:00:00')).toBe(NEW_YEAR + 15 * HOUR);
  });

  it('reads a date-time without an offset as UTC', () => {
    expect(parseTime('2026-01-01T10:00:00')).toBe(NEW_YEAR + 10 * HOUR);
    expect(parseTime('2026-01-01T10:00')).toBe(NEW_YEAR + 10 * HOUR);
    expect(parseTime('2026-01-01 10:00:00')).toBe(NEW_YEAR + 10 * HOUR);
    expect(parseTime('2026-01-01')).toBe(NEW_YEAR);
  });

  it('applies Z and numeric offsets', () => {
    expect(parseTime('2026-01-01T10:00:00Z')).toBe(NEW_YEAR + 10 * HOUR);
    expect(parseTime('2026-01-01T10:00:00+02:00')).toBe(NEW_YEAR + 8 * HOUR);
    expect(parseTime('2026-01-01T10:00:00-0530')).toBe(NEW_YEAR + 15.5 * HOUR);
    expect(parseTime('2026-01-01T10:00:00+01')).toBe(NEW_YEAR + 9 * HOUR);
  });

  it('keeps milliseconds and cuts finer fractions', () => {
    expect(parseTime('2026-01-01T00:00:01.5Z')).toBe(NEW_YEAR + 1500);
    expect(parseTime('2026-01-01T00:00:00.123456Z')).toBe(NEW_YEAR + 123);
  });

  it('takes epoch ms as a number or a numeric string', () => {
    expect(parseTime(NEW_YEAR)).toBe(NEW_YEAR);
    expect(parseTime(String(NEW_YEAR))).toBe(NEW_YEAR);
    expect(parseTime(' 42 ')).toBe(42);
  });

  it('knows leap days', () => {
    expect(parseTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2026-02-29T00:00:00Z')).toBeUndefined();
  });

  it('refuses everything else', () => {
    for (const v of [
      '1/2/2026',
      'January 1, 2026',
      'Thu, 01 Jan 2026 10:00:00 GMT',
      '2026-13-01',
      '2026-01-32',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:00:00+25:00',
      '2026-1-1',
      '0x10',
      '1e3',
      '',
      'now',
      Number.NaN,
      null,
      true,
    ]) {
      expect(parseTime(v), JSON.stringify(v)).toBeUndefined();
    }
  });

  it('says what is wrong, where, and what to write instead', () => {
    expect(() => timeMs('1/2/2026', 'rows[0].effectiveFrom')).toThrow(
      'rows[0].effectiveFrom: "1/2/2026" is not a time (use epoch milliseconds (1767261600000) or ISO 8601 (2026-01-01T10:00:00Z; no offset means UTC))',
    );
  });
});
