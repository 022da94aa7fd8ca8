/**
 * NATS subject and URL rules, checked before anything connects so a typo is a validation error
 * naming the field, not a server refusal (or silence) at run time. Pure and browser-safe: the
 * definitions of source.nats and sink.nats use them.
 *
 * A subject is tokens separated by `.`; a subscription may use `*` (one whole token) and `>`
 * (the last token: the rest). Subjects hold no whitespace and no empty token.
 */
import type { ConfigProblem } from '@sluice/shared';
import { inlinePasswordProblems } from '../sdk/secrets.js';

/** Why `filter` is not a valid subscription subject, or undefined when it is. */
export function subjectFilterProblem(filter: string): string | undefined {
  const common = commonProblem(filter);
  if (common) return common;
  const tokens = filter.split('.');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.includes('>') && (t !== '>' || i !== tokens.length - 1)) return '> stands alone as the last token (orders.>)';
    if (t.includes('*') && t !== '*') return '* stands alone as a whole token (orders.*.created)';
  }
  return undefined;
}

/** Why `subject` is not a subject one can publish to, or undefined when it is. */
export function publishSubjectProblem(subject: string): string | undefined {
  const common = commonProblem(subject);
  if (common) return common;
  if (subject.includes('*') || subject.includes('>')) return 'a subject to publish to holds no wildcard (* or >)';
  return undefined;
}

function commonProblem(subject: string): string | undefined {
  if (subject === '') return 'a subject is not empty';
  if (/\s/.test(subject)) return 'a subject holds no spaces, tabs or line breaks';
  if (subject.split('.').some((t) => t === '')) return 'a subject has no empty token (no leading, trailing or double dot)';
  return undefined;
}

/** The URL schemes the nats package connects with over TCP; one server, no path. */
export const NATS_URL = /^(nats|tls):\/\/[^\s/]+$/i;

/**
 * A NATS URL may carry `user:pass@` or a bare token (`nats://s3cret@host`): either would be
 * exported with the document. Any user info is refused: the user name has its own field.
 */
export function natsUrlProblems(url: string): ConfigProblem[] {
  const inline = inlinePasswordProblems('url', url);
  if (inline.length > 0) return inline;
  if (/^[a-z]+:\/\/[^/]*@/i.test(url)) {
    return [
      {
        path: 'config.url',
        code: 'inline-password',
        message:
          'url holds user info (a NATS URL may carry a token there); documents are exported and shared: set username, and name the secret in passwordSecret or tokenSecret',
      },
    ];
  }
  return [];
}

/** Credentials: a user with a password, or a token, never both (the config fields named). */
export function credentialProblems(c: {
  username?: string | undefined;
  passwordSecret?: string | undefined;
  tokenSecret?: string | undefined;
}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (c.passwordSecret !== undefined && c.tokenSecret !== undefined) {
    problems.push({
      path: 'config.tokenSecret',
      message: 'a NATS connection authenticates with a user and password or with a token, not both: remove passwordSecret or tokenSecret',
    });
  }
  if (c.passwordSecret !== undefined && c.username === undefined) {
    problems.push({ path: 'config.username', message: 'passwordSecret needs a username' });
  }
  return problems;
}

/**
 * Whether some subject matches both `a` and `b` (each may hold `*` and `>`): whether a stream
 * taking `a` can hold a message that the filter `b` reads.
 */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < x.length && i < y.length; i++) {
    // `>` matches one token or more: whatever the other has from here on, as long as it has one.
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  return x.length === y.length;
}
