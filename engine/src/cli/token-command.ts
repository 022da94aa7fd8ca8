/**
 * `sluice token add|list|revoke`: API tokens for `sluice serve` (docs/auth.md). The tokens file
 * is `<data>/tokens.json` (--data, else SLUICE_DATA_DIR, else ./data), or SLUICE_TOKENS_FILE.
 * `add` prints the new token once; only its hash is stored. `add --env` stores nothing and
 * prints a SLUICE_TOKENS entry instead (for containers configured by environment).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '@sluice/shared';
import { hashToken, isRole, newToken, TOKEN_NAME, TokenConfigError, tokenStoreFor } from '../auth/token-store.js';

export const TOKEN_USAGE = `Usage:
  sluice token add --name NAME --role ${ROLES.join('|')} [--data DIR] [--env]
  sluice token list [--data DIR]
  sluice token revoke NAME [--data DIR]
`;

export interface TokenCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: TokenCommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env };

export async function tokenCommand(args: string[], io: TokenCommandIo = defaultIo): Promise<number> {
  const fail = (message: string) => {
    io.err(`sluice token: ${message}\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    return fail(`${(err as Error).message}\n${TOKEN_USAGE}`);
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  const dataDir = resolve(values.data ?? io.env.SLUICE_DATA_DIR ?? 'data');
  try {
    switch (sub) {
      case 'add': {
        const { name, role } = values;
        if (!name || !role) return fail(`add needs --name and --role\n${TOKEN_USAGE}`);
        if (!isRole(role)) return fail(`--role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(role)}`);
        if (values.env) {
          if (!TOKEN_NAME.test(name)) return fail(`token names match ${TOKEN_NAME.source}; got ${JSON.stringify(name)}`);
          const token = newToken();
          io.out(`${token}\n`);
          io.err(
            `Token for ${name} (${role}) printed above; it is shown only this once. Add this entry to SLUICE_TOKENS (comma-separated):\n${name}:${role}:${hashToken(token)}\n`,
          );
          return 0;
        }
        const store = tokenStoreFor(dataDir, io.env);
        const token = await store.add(name, role);
        // The token alone on stdout (scripts capture it); the explanation on stderr.
        io.out(`${token}\n`);
        io.err(`Token for ${name} (${role}) printed above; it is shown only this once (its hash is in ${store.file}).\n`);
        return 0;
      }
      case 'list': {
        const store = tokenStoreFor(dataDir, io.env);
        const list = store.list();
        if (list.length === 0) io.err(`no tokens (${store.file}; SLUICE_TOKENS): the server runs local-only\n`);
        for (const t of list) io.out(`${t.name}\t${t.role}\t${t.source === 'env' ? 'SLUICE_TOKENS' : (t.createdAt ?? '')}\n`);
        return 0;
      }
      case 'revoke': {
        const name = rest[0];
        if (!name) return fail(`revoke needs a NAME\n${TOKEN_USAGE}`);
        const store = tokenStoreFor(dataDir, io.env);
        if (!(await store.revoke(name))) return fail(`no token named "${name}" in ${store.file}`);
        io.err(`revoked ${name}: a running server refuses it within a second\n`);
        return 0;
      }
      default:
        return fail(sub === undefined ? `which one?\n${TOKEN_USAGE}` : `unknown subcommand ${JSON.stringify(sub)}\n${TOKEN_USAGE}`);
    }
  } catch (err) {
    if (err instanceof TokenConfigError) return fail(err.message);
    throw err;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' }, data: { type: 'string' }, env: { type: 'boolean' } },
  });
}
