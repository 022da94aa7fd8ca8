/**
 * Durations: `<integer><unit>` with unit ms | s | m | h | d, or a number of milliseconds.
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+)(ms|s|m|h|d)$/;

export type Duration = string | number;

export const DURATION_HINT = 'use 250ms, 10s, 5m, 1h';

/**
 * The JSON Schema `format` of a duration field. Not `duration`: standard validators read that
 * as ISO 8601 (`PT5M`) and refuse "5m" (docs/graph-format.md, "Formats").
 */
export const DURATION_FORMAT = 'sluice-duration';

/** Milliseconds, or undefined when the value is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION_RE.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function durationMs(value: Duration): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`${JSON.stringify(value)} is not a duration (${DURATION_HINT})`);
  return ms;
}

/** Short human form: 300000 -> "5m". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The zod schema of a duration field; its error message is the one users see. */
export const durationSchema = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a duration (${DURATION_HINT})`,
  })
  // `pattern` and `minimum` let a JSON Schema tool that knows no custom format still check both
  // forms (each applies to strings or numbers only; spaces allowed, as parseDuration trims them).
  .meta({
    format: DURATION_FORMAT,
    pattern: `^\\s*${DURATION_RE.source.slice(1, -1)}\\s*$`,
    minimum: 0,
    description: `A duration (${DURATION_HINT}) or a number of milliseconds`,
  });
