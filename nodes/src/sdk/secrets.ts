/**
 * Connector credentials are never written into a pipeline document (documents are exported and
 * shared): a config names a secret (`passwordSecret: "PG_PASSWORD"`) and the operator asks the
 * host for its value (`ctx.secret(name)`). The Sluice server and workers read secret NAME from
 * the environment variable SLUICE_SECRET_NAME (docs/secrets.md).
 */
import { z } from 'zod';
import type { ConfigProblem } from '@sluice/shared';

/** A secret's name as configs write it: upper case, digits, underscores. */
export const secretName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'a secret name is upper case letters, digits and _ (e.g. PG_PASSWORD)')
  .describe('Name of a secret: the server and workers read it from the environment variable SLUICE_SECRET_<name>');

/** The environment variable that holds secret `name`. */
export function secretEnvVar(name: string): string {
  return `SLUICE_SECRET_${name}`;
}

/**
 * A connection URL that carries a password inline (`scheme://user:pass@host`) would be saved,
 * versioned and exported with the document: refused, naming the field.
 */
export function inlinePasswordProblems(field: string, url: string | undefined): ConfigProblem[] {
  if (url === undefined) return [];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.exec(url);
  if (!m) return [];
  return [
    {
      path: `config.${field}`,
      code: 'inline-password',
      message: `${field} holds a password; documents are exported and shared: put the password in a secret and name it in passwordSecret`,
    },
  ];
}
