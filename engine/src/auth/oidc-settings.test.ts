// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the client secret is configured as a ${env:NAME} reference, written as operators write it
/** OpenID Connect settings from the environment, and the claim -> role mapping. */
import { describe, expect, it } from 'vitest';
import { redact } from '../secrets/redact.js';
import { mapRole, OidcConfigError, oidcSettingsFromEnv, parseRoleMap } from './oidc-settings.js';

const ENV = {
  SLUICE_OIDC_ISSUER: 'https://login.example.com/realms/acme',
  SLUICE_OIDC_CLIENT_ID: 'sluice',
  SLUICE_OIDC_CLIENT_SECRET: '${env:ACME_OIDC_SECRET}',
  ACME_OIDC_SECRET: 'acme-oidc-secret-value-42',
  SLUICE_PUBLIC_URL: 'https://sluice.example.com',
  SLUICE_OIDC_ROLES: 'pricing-analysts=business, data-engineering=editor, platform=admin',
};

describe('OpenID Connect settings', () => {
  it('reads the provider, the callback under the public URL, the mapping and the defaults', () => {
    const s = oidcSettingsFromEnv(ENV)!;
    expect(s.issuer).toBe('https://login.example.com/realms/acme');
    expect(s.redirectUrl).toBe('https://sluice.example.com/api/auth/oidc/callback');
    expect(s.clientSecret).toBe('acme-oidc-secret-value-42');
    expect(s.name).toBe('login.example.com');
    expect(s.scopes).toBe('openid profile email');
    expect(s.roleClaim).toBe('groups');
    expect([...s.roleMap]).toEqual([
      ['pricing-analysts', 'business'],
      ['data-engineering', 'editor'],
      ['platform', 'admin'],
    ]);
    expect(s.defaultRole).toBeUndefined();
    expect(s.sessionMaxAgeMs).toBe(8 * 3600 * 1000);
    // Read once, the secret is masked in every log line from then on.
    expect(redact('token request with acme-oidc-secret-value-42 failed')).toBe('token request with *** failed');
  });

  it('is off without an issuer', () => {
    expect(oidcSettingsFromEnv({})).toBeUndefined();
  });

  it('refuses a secret given as itself, an unset reference, a missing public URL, a bad role', () => {
    const fails = (env: Record<string, string>) => () => oidcSettingsFromEnv({ ...ENV, ...env });
    expect(fails({ SLUICE_OIDC_CLIENT_SECRET: 'the-secret-itself' })).toThrow(
      'SLUICE_OIDC_CLIENT_SECRET must be a reference such as ${env:OIDC_CLIENT_SECRET}',
    );
    expect(fails({ SLUICE_OIDC_CLIENT_SECRET: '${env:NOT_SET_ANYWHERE}' })).toThrow('the environment variable NOT_SET_ANYWHERE is not set');
    expect(fails({ SLUICE_PUBLIC_URL: '' })).toThrow('SLUICE_PUBLIC_URL');
    expect(fails({ SLUICE_OIDC_ROLES: 'analysts=boss' })).toThrow(
      'SLUICE_OIDC_ROLES: "analysts=boss" is not <claim value>=<admin|editor|business|viewer>',
    );
    expect(fails({ SLUICE_OIDC_DEFAULT_ROLE: 'root' })).toThrow(OidcConfigError);
    expect(fails({ SLUICE_OIDC_SESSION_HOURS: '0' })).toThrow('SLUICE_OIDC_SESSION_HOURS');
  });

  it('maps the claim to the highest role named; unmapped users get the default role, or none (refused)', () => {
    const s = { roleClaim: 'groups', roleMap: parseRoleMap('analysts=business,eng=editor,ops=admin') };
    expect(mapRole({ groups: ['everyone', 'analysts'] }, s)).toBe('business');
    expect(mapRole({ groups: ['analysts', 'ops', 'eng'] }, s)).toBe('admin');
    expect(mapRole({ groups: 'eng' }, s)).toBe('editor');
    expect(mapRole({ groups: ['contractors'] }, s)).toBeUndefined();
    expect(mapRole({}, s)).toBeUndefined();
    expect(mapRole({ groups: [42, null] }, s)).toBeUndefined();
    expect(mapRole({ groups: ['contractors'] }, { ...s, defaultRole: 'viewer' })).toBe('viewer');
    expect(mapRole({ roles: ['eng'] }, { ...s, roleClaim: 'roles' })).toBe('editor');
  });
});
