// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the client secret is configured as a ${env:NAME} reference, written as operators write it
/**
 * Signing in through the organization's OpenID provider, in Chromium, against a real provider
 * (oidc-provider) started here. An analyst in `pricing-analysts` becomes a business user and
 * lands on the one page she may change (or picks from a list when there are several), with
 * nothing technical on the way; an engineer in `data-engineering` becomes an editor; a person
 * whose groups map to nothing is refused with a page that says so; sessions end at sign-out, at
 * expiry and when the person's role changes; API tokens keep working beside it.
 */
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricingDoc } from '../../engine/src/auth/auth-fixtures.js';
import { oidcSettingsFromEnv } from '../../engine/src/auth/oidc-settings.js';
import { TokenStore } from '../../engine/src/auth/token-store.js';
import { generatorDoc } from '../../engine/src/api/test-support.js';
import { startServer } from '../../engine/src/server/start-server.js';
import { launchBrowser } from '../e2e/browser.js';
import { freePort, startTestProvider, type TestProvider } from './test-provider.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-oidc-');

const ROOT = new URL('../../', import.meta.url).pathname;
// Its own build folder: other browser tests build editor/dist at the same time.
const DIST = tmp('dist');
const SESSION_HOURS = 8;
const PEOPLE = {
  ana: { name: 'Ana Analyst', email: 'ana@example.com', groups: ['pricing-analysts', 'everyone'] },
  eve: { name: 'Eve Engineer', email: 'eve@example.com', groups: ['data-engineering'] },
  max: { name: 'Max Contractor', email: 'max@example.com', groups: ['contractors'] },
};

let server: Awaited<ReturnType<typeof startServer>>;
let idp: TestProvider;
let browser: Browser;
let base: string;
let adminToken: string;
/** Added to the server's session clock: moving it forward expires sessions without waiting. */
let skew = 0;
const logs: string[] = [];

beforeAll(async () => {
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${DIST} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startTestProvider({ redirectUri: `${base}/api/auth/oidc/callback`, people: PEOPLE });
  const oidc = oidcSettingsFromEnv({
    SLUICE_OIDC_ISSUER: idp.issuer,
    SLUICE_OIDC_CLIENT_ID: idp.clientId,
    SLUICE_OIDC_CLIENT_SECRET: '${env:SLUICE_TEST_OIDC_SECRET}',
    SLUICE_TEST_OIDC_SECRET: idp.clientSecret,
    SLUICE_PUBLIC_URL: base,
    SLUICE_OIDC_NAME: 'Acme ID',
    SLUICE_OIDC_SCOPES: 'openid profile email groups',
    SLUICE_OIDC_ROLES: 'pricing-analysts=business, data-engineering=editor',
    SLUICE_OIDC_SESSION_HOURS: String(SESSION_HOURS),
  });
  const dataDir = tmp();
  const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
  adminToken = await tokens.add('ops', 'admin');
  server = await startServer({
    port,
    host: '127.0.0.1',
    dataDir,
    examplesDir: tmp('examples'),
    editorDist: DIST,
    tokens,
    ...(oidc ? { oidc } : {}),
    now: () => Date.now() + skew,
    log: (line) => logs.push(line),
  });
  // One pipeline she may change (exposed values), one she may not.
  expect((await api('POST', '/api/pipelines', pricingDoc())).status).toBe(201);
  expect((await api('POST', '/api/pipelines', generatorDoc('ingest'))).status).toBe(201);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await idp?.close();
});

const api = async (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${adminToken}` },
) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A fresh browser (no cookies at Sluice or at the provider); the provider's page asks for web fonts it cannot reach here. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(/^https:\/\/fonts\./, (r) => r.abort());
  return { context, page: await context.newPage() };
}

/** `fn` in a fresh browser, closed afterwards whatever happens. */
async function inFreshBrowser(fn: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const { context, page } = await freshPage();
  try {
    await fn(page, context);
  } finally {
    await context.close();
  }
}

/** From Sluice's front door through the provider's login and consent pages, and back. */
async function signInAs(page: Page, login: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Sign in with Acme ID' }).click();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === base);
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies(base)).find((c) => c.name === 'sluice_session')?.value;
const meWith = (cookie: string | undefined) => api('GET', '/api/me', undefined, { cookie: `sluice_session=${cookie ?? ''}` });

describe('OpenID Connect sign-in (Chromium, oidc-provider)', () => {
  it('the sign-in page offers the provider and nothing technical; the token form waits behind a disclosure', async () => {
    await inFreshBrowser(async (page) => {
      await page.goto(`${base}/`);
      await page.waitForURL(/#\/signin/);
      await page.getByRole('link', { name: 'Sign in with Acme ID' }).waitFor();
      expect(await page.getByLabel('Token').isVisible()).toBe(false);
      const text = await page.getByTestId('signin-page').textContent();
      expect(text).not.toMatch(/pnpm|sluice token|sluice_|CLI|bearer|API/i);
      expect(text).toContain('Use an access token');
      // Engineers open it and sign in with a token as before.
      await page.getByText('Use an access token').click();
      expect(await page.getByLabel('Token').isVisible()).toBe(true);
    });
  });

  it('an analyst in pricing-analysts signs in as business and lands on the one page she may change', async () => {
    await inFreshBrowser(async (page, context) => {
      await signInAs(page, 'ana');
      await page.waitForURL(/#\/p\/pricing\/business$/);
      await page.getByTestId('business-page').waitFor();
      expect(await page.getByTestId('who').textContent()).toMatch(/^ana\s+business/);
      // No token, no command line, no engineering words in what she sees; her way back is "Your pages".
      expect(await page.locator('body').textContent()).not.toMatch(/pnpm|sluice token|sluice_|CLI|bearer|API|graph|pipelines/i);
      expect(await page.getByRole('link', { name: 'Pipelines', exact: true }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Your pages', exact: true }).getAttribute('href')).toBe('#/start');
      expect((await meWith(await sessionCookie(context))).body).toEqual({
        name: 'ana',
        role: 'business',
        authenticated: true,
        mode: 'tokens',
      });
      // The cookie is HttpOnly and SameSite=Strict; it holds a session id, no token from the provider.
      const cookie = (await context.cookies(base)).find((c) => c.name === 'sluice_session')!;
      expect([cookie.httpOnly, cookie.sameSite]).toEqual([true, 'Strict']);
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The client secret is in no log line.
      expect(logs.join('\n')).not.toContain(idp.clientSecret);
    });
  });

  it('with two pages she may change, she picks one from a list of their names', async () => {
    expect((await api('POST', '/api/pipelines', { ...pricingDoc(), id: 'regional', name: 'Regional pricing' })).status).toBe(201);
    try {
      await inFreshBrowser(async (page) => {
        await signInAs(page, 'ana');
        await page.waitForURL(/#\/start$/);
        await page.getByTestId('start-page').waitFor();
        expect(await page.getByTestId('start-page').locator('li a').allTextContents()).toEqual(['Dynamic pricing', 'Regional pricing']);
        await page.getByRole('link', { name: 'Regional pricing' }).click();
        await page.waitForURL(/#\/p\/regional\/business$/);
        await page.getByTestId('business-page').waitFor();
      });
    } finally {
      expect((await api('DELETE', '/api/pipelines/regional')).status).toBe(200);
    }
  });

  it('an engineer in data-engineering signs in as editor and lands on the pipelines', async () => {
    await inFreshBrowser(async (page) => {
      await signInAs(page, 'eve');
      await page.waitForURL(`${base}/#/`);
      expect(await page.getByTestId('who').textContent()).toMatch(/^eve\s+editor/);
    });
  });

  it('a person whose groups map to no role is refused with a page that says why', async () => {
    await inFreshBrowser(async (page, context) => {
      await signInAs(page, 'max');
      await page.waitForURL(/#\/signin\?problem=no-role$/);
      expect(await page.getByTestId('signin-problem').textContent()).toBe(
        'You signed in, but your account has no access to Sluice yet. Ask your Sluice administrator to give you access.',
      );
      expect(await sessionCookie(context)).toBeUndefined();
      expect((await page.request.get(`${base}/api/me`)).status()).toBe(401);
      expect(logs).toContain(
        'refused OpenID Connect sign-in of max from 127.0.0.1: no role (none of its groups is mapped, and there is no default role)',
      );
    });
  });

  it('signing out ends the session on the server: a copy of the cookie no longer works', async () => {
    await inFreshBrowser(async (page, context) => {
      await signInAs(page, 'eve');
      await page.getByTestId('who').waitFor();
      const copy = await sessionCookie(context);
      expect((await meWith(copy)).status).toBe(200);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Sign in with Acme ID' }).waitFor();
      expect((await meWith(copy)).status).toBe(401);
    });
  });

  it(`a session expires after ${SESSION_HOURS} hours: the next page asks to sign in again`, async () => {
    await inFreshBrowser(async (page, context) => {
      await signInAs(page, 'eve');
      await page.getByTestId('who').waitFor();
      const copy = await sessionCookie(context);
      // A minute before its end it still works (a minute of slack for a busy machine); a minute after, not.
      skew += (SESSION_HOURS * 3600 - 60) * 1000;
      expect((await meWith(copy)).status).toBe(200);
      skew += 120_000;
      expect((await meWith(copy)).status).toBe(401);
      await page.reload();
      await page.getByRole('link', { name: 'Sign in with Acme ID' }).waitFor();
    });
  });

  it('a changed role applies at the next sign-in, and the sessions with the old role end', async () => {
    const first = await freshPage();
    const second = await freshPage();
    try {
      await signInAs(first.page, 'ana');
      await first.page.getByTestId('business-page').waitFor();
      const old = await sessionCookie(first.context);
      idp.people.get('ana')!.groups = ['data-engineering'];
      await signInAs(second.page, 'ana');
      await second.page.waitForURL(`${base}/#/`);
      expect(await second.page.getByTestId('who').textContent()).toMatch(/^ana\s+editor/);
      expect((await meWith(old)).status).toBe(401);
      expect((await meWith(await sessionCookie(second.context))).body.role).toBe('editor');
    } finally {
      idp.people.get('ana')!.groups = [...PEOPLE.ana.groups];
      await first.context.close();
      await second.context.close();
    }
  });

  it('API tokens keep working beside it (scripts, CI)', async () => {
    expect((await api('GET', '/api/me')).body).toEqual({ name: 'ops', role: 'admin', authenticated: true, mode: 'tokens' });
    expect((await api('GET', '/api/auth/oidc/provider', undefined, {})).body).toEqual({ name: 'Acme ID', login: '/api/auth/oidc/login' });
  });
});
