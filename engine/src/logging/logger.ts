/**
 * The server's structured log (pino): levels, a time on every line, JSON when stderr is not a
 * terminal (a collector reads it) and one readable line per record on a terminal, without
 * pino-pretty (dependency-light). Every message and field passes the secret redaction
 * (docs/secrets.md) before it is written, whatever the destination.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { redact, redactDeep } from '../secrets/redact.js';

export type { Logger } from 'pino';

/** What a caller may hand the server as its log: a logger, or a function taking plain lines (tests). */
export type LogOption = Logger | ((line: string) => void);

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Default: `info`. */
  level?: string;
  /** Default: JSON unless the destination is a terminal. */
  format?: LogFormat;
  /** Default: stderr (synchronous, so no line is lost when the process exits). */
  destination?: DestinationStream & { isTTY?: boolean };
}

/** Messages and fields are masked before pino serializes them; an Error becomes its serialized form first. */
function maskFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? redactDeep(pino.stdSerializers.err(v)) : redactDeep(v);
  return out;
}

function baseOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: undefined,
    // maskFields serializes errors itself (before masking): pino's own would see a plain object.
    serializers: { err: (e: unknown) => e },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: maskFields },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a: unknown) => (typeof a === 'string' ? redact(a) : a));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
}

const FIXED = new Set(['level', 'time', 'msg']);

/** One record as a terminal line: `12:00:01.234 INFO  message key=value`. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : '';
  const level = String(rec.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const extra = Object.entries(rec)
    .filter(([k]) => !FIXED.has(k) && k !== 'err')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const err = rec.err as { stack?: string } | undefined;
  return [`${time} ${level} ${String(rec.msg ?? '')}${extra.length ? ` ${extra.join(' ')}` : ''}`, ...(err?.stack ? [err.stack] : [])].join(
    '\n',
  );
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const dest = o.destination ?? pino.destination({ fd: 2, sync: true });
  const format = o.format ?? ((dest as { isTTY?: boolean }).isTTY || process.stderr.isTTY ? 'pretty' : 'json');
  if (format === 'json') return pino(baseOptions(o.level ?? 'info'), dest);
  const pretty: DestinationStream = { write: (s: string) => dest.write(`${prettyLine(s)}\n`) };
  return pino(baseOptions(o.level ?? 'info'), pretty);
}

/** The `SLUICE_LOG_LEVEL` / `SLUICE_LOG_FORMAT` settings, or a message saying what is wrong. */
export function loggerOptionsFromEnv(env: NodeJS.ProcessEnv): LoggerOptions | string {
  const level = env.SLUICE_LOG_LEVEL?.trim().toLowerCase();
  const format = env.SLUICE_LOG_FORMAT?.trim().toLowerCase();
  const levels = Object.keys(pino.levels.values);
  if (level && !levels.includes(level) && level !== 'silent')
    return `SLUICE_LOG_LEVEL must be one of ${levels.join(', ')} or silent; got ${JSON.stringify(level)}`;
  if (format && format !== 'json' && format !== 'pretty') return `SLUICE_LOG_FORMAT must be json or pretty; got ${JSON.stringify(format)}`;
  return { ...(level ? { level } : {}), ...(format ? { format: format as LogFormat } : {}) };
}

/**
 * A logger that hands each record's message to `line` (masked), for callers that collect plain
 * lines: tests, and code written before the structured log. Fields stay out of the line.
 */
export function lineLogger(line: (text: string) => void, level = 'info'): Logger {
  return pino(baseOptions(level), {
    write(s: string) {
      try {
        line(String((JSON.parse(s) as { msg?: unknown }).msg ?? ''));
      } catch {
        line(s.trimEnd());
      }
    },
  });
}

export function toLogger(log: LogOption | undefined): Logger {
  if (log === undefined) return pino({ level: 'silent' });
  return typeof log === 'function' ? lineLogger(log) : log;
}

/** The older `(line) => void` shape, for modules that take plain lines (deployments, examples). */
export function lineFn(logger: Logger): (line: string) => void {
  return (text) => logger.info(text);
}
