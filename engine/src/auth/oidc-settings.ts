/**
 * OpenID Connect sign-in, as configured by the environment (docs/auth.md "OpenID Connect"):
 * the provider (issuer URL, client id, client secret given as a `${env:NAME}` reference), the
 * server's public URL the callback lives under, and how a claim's values map to roles. Read
 * once at start; a mistake stops the start with a message naming the variable.
 */
import { rememberSecret } from '../secrets/redact.js';
import { ROLES, type Role } from '@sluice/shared';
import { ROLE_RANK } from './route-policy.js';

export interface OidcSettings {
  /** The provider's issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** The resolved secret: kept in memory, never logged or answered. Undefined for a public client (PKCE only). */
  clientSecret?: string;
  /** `<public URL>/api/auth/oidc/callback`, registered at the provider. */
  redirectUrl: string;
  /** Shown on the sign-in page: "Sign in with <name>". */
  name: string;
  scopes: string;
  /** The claim whose values (a string or a list) map to roles, e.g. `groups` or `roles`. */
  roleClaim: string;
  /** Claim value -> role; a user with several mapped values gets the highest role. */
  roleMap: ReadonlyMap<string, Role>;
  /** The role of a user none of whose values is mapped; undefined: such a user is refused. */
  defaultRole?: Role;
  /** How long a session started this way lives, ms. */
  sessionMaxAgeMs: number;
}

export class OidcConfigError extends Error {
  override name = 'OidcConfigError';
}

export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
export const OIDC_LOGIN_PATH = '/api/auth/oidc/login';
/** A working day: a sign-in through the provider is asked again each morning. */
export const OIDC_SESSION_HOURS = 8;

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

/** `analysts=business, engineering=editor` -> a map; throws naming the bad entry. */
export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const value = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || value === '' || !isRole(role))
      throw new OidcConfigError(`SLUICE_OIDC_ROLES: ${JSON.stringify(entry)} is not <claim value>=<${ROLES.join('|')}>`);
    map.set(value, role);
  }
  return map;
}

/** The role a user's claims map to, or undefined (refused). */
export function mapRole(claims: Record<string, unknown>, s: Pick<OidcSettings, 'roleClaim' | 'roleMap' | 'defaultRole'>): Role | undefined {
  const raw = claims[s.roleClaim];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  let best: Role | undefined;
  for (const v of values) {
    const r = s.roleMap.get(v);
    if (r && (best === undefined || ROLE_RANK[r] > ROLE_RANK[best])) best = r;
  }
  return best ?? s.defaultRole;
}

/** `${env:NAME}` -> the variable's value; anything else is refused (the secret itself does not belong in the setting). */
function resolveSecret(ref: string, env: NodeJS.ProcessEnv): string {
  const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ref.trim());
  if (!m)
    throw new OidcConfigError(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the reference as operators write it
      'SLUICE_OIDC_CLIENT_SECRET must be a reference such as ${env:OIDC_CLIENT_SECRET}, naming the variable that holds the secret',
    );
  const value = env[m[1]!];
  if (value === undefined || value === '')
    throw new OidcConfigError(`SLUICE_OIDC_CLIENT_SECRET: the environment variable ${m[1]} is not set`);
  // From now on every log line and answer masks it.
  rememberSecret(value);
  return value;
}

function absoluteUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OidcConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OidcConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return url;
}

/** Undefined when SLUICE_OIDC_ISSUER is not set (tokens only). */
export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.SLUICE_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const issuerUrl = absoluteUrl('SLUICE_OIDC_ISSUER', issuer);
  const clientId = env.SLUICE_OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new OidcConfigError('SLUICE_OIDC_CLIENT_ID is required with SLUICE_OIDC_ISSUER');
  const publicUrl = env.SLUICE_PUBLIC_URL?.trim();
  if (!publicUrl)
    throw new OidcConfigError(
      'SLUICE_PUBLIC_URL (the address browsers use, e.g. https://sluice.example.com) is required with SLUICE_OIDC_ISSUER: the sign-in callback lives under it',
    );
  const base = absoluteUrl('SLUICE_PUBLIC_URL', publicUrl);
  const defaultRole = env.SLUICE_OIDC_DEFAULT_ROLE?.trim();
  if (defaultRole && defaultRole !== 'none' && !isRole(defaultRole))
    throw new OidcConfigError(`SLUICE_OIDC_DEFAULT_ROLE must be one of ${ROLES.join(', ')} or none, got ${JSON.stringify(defaultRole)}`);
  const hours = Number(env.SLUICE_OIDC_SESSION_HOURS ?? OIDC_SESSION_HOURS);
  if (!(hours > 0 && hours <= 24 * 30))
    throw new OidcConfigError(
      `SLUICE_OIDC_SESSION_HOURS must be a number of hours up to 720, got ${JSON.stringify(env.SLUICE_OIDC_SESSION_HOURS)}`,
    );
  const secretRef = env.SLUICE_OIDC_CLIENT_SECRET?.trim();
  return {
    issuer: issuerUrl.href,
    clientId,
    ...(secretRef ? { clientSecret: resolveSecret(secretRef, env) } : {}),
    redirectUrl: new URL(OIDC_CALLBACK_PATH, base).href,
    name: env.SLUICE_OIDC_NAME?.trim() || issuerUrl.hostname,
    scopes: env.SLUICE_OIDC_SCOPES?.trim() || 'openid profile email',
    roleClaim: env.SLUICE_OIDC_ROLE_CLAIM?.trim() || 'groups',
    roleMap: parseRoleMap(env.SLUICE_OIDC_ROLES ?? ''),
    ...(defaultRole && defaultRole !== 'none' && isRole(defaultRole) ? { defaultRole } : {}),
    sessionMaxAgeMs: hours * 3600 * 1000,
  };
}
