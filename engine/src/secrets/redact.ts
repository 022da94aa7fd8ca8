/**
 * Secret values never leave the process in an answer, a status, a stream or a log line
 * (docs/secrets.md). Applied at those boundaries, not at every place a message is built:
 * - a password in a URL (`postgres://u:pass@host` -> `postgres://u:***@host`);
 * - every value read for `${env:NAME}` in a connection field (remembered when resolved);
 * - every `SLUICE_SECRET_<name>` value of this process's environment.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^/@\s:'"]*):([^/@\s'"]*)@/gi;
const SECRET_VAR = /^SLUICE_SECRET_/;
/** Shorter values are not masked: a one-letter "secret" would blank out every message. */
const MIN_SECRET_LENGTH = 4;
export const MASK = '***';

const remembered = new Set<string>();

/** Mask `value` from now on (a value read for `${env:NAME}`, a secret handed to an operator). */
export function rememberSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) remembered.add(value);
}

function secretValues(env: NodeJS.ProcessEnv): string[] {
  const out = [...remembered];
  for (const [k, v] of Object.entries(env)) if (SECRET_VAR.test(k) && v !== undefined && v.length >= MIN_SECRET_LENGTH) out.push(v);
  // Longest first: a secret that contains another is masked whole.
  return out.sort((a, b) => b.length - a.length);
}

/** The text with URL passwords and known secret values masked. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text.replace(URL_CREDENTIALS, (_, head: string) => `${head}:${MASK}@`);
  for (const v of secretValues(env)) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}

/** A copy of a JSON-like value with every string redacted (statuses, metrics, stream messages). */
export function redactDeep<T>(value: T, env: NodeJS.ProcessEnv = process.env): T {
  if (typeof value === 'string') return redact(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, env)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, env);
    return out as T;
  }
  return value;
}

/** Redact every text written to `stream` from now on (the CLI's stderr: errors, run failures, logs). */
export function redactWrites(stream: NodeJS.WritableStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as typeof stream.write;
}
