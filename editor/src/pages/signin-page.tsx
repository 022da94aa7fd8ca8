/**
 * Signing in (`#/signin`). With the organization's provider configured (OpenID Connect), the
 * page offers "Sign in with <provider>" and nothing technical; the access-token form (for
 * engineers) waits behind a disclosure. Without it, the token form alone, as before. The
 * server answers either way with a session cookie.
 */
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api/client';
import { useUi } from '../stores/ui-store';
import { navigate } from './route';

/** Why the provider's sign-in came back without a session, in the words of the person signing in. */
const PROBLEMS: Record<string, string> = {
  'no-role': 'You signed in, but your account has no access to Sluice yet. Ask your Sluice administrator to give you access.',
  cancelled: 'Sign-in was cancelled.',
  failed: 'Sign-in did not complete. Please try again.',
  unavailable: 'The sign-in service cannot be reached right now. Please try again in a few minutes.',
  busy: 'Too many attempts from this computer. Please wait a minute and try again.',
};

/** The provider's name and login address; null when the server has none; undefined while asking. */
function useProvider(): { name: string; login: string } | null | undefined {
  const [provider, setProvider] = useState<{ name: string; login: string } | null | undefined>(undefined);
  useEffect(() => {
    api.oidcProvider().then(setProvider, () => setProvider(null));
  }, []);
  return provider;
}

export function SignInPage({ next, problem }: { next: string | undefined; problem?: string | undefined }) {
  const provider = useProvider();
  const back = next && !next.startsWith('#/signin') && next !== '#/' ? next : undefined;
  const problemText = problem ? (PROBLEMS[problem] ?? PROBLEMS.failed) : undefined;
  return (
    <div className="page signin-page" data-testid="signin-page">
      <div className="signin">
        <h1>Sign in to Sluice</h1>
        {problemText ? (
          <p className="message error" role="alert" data-testid="signin-problem">
            {problemText}
          </p>
        ) : null}
        {provider === undefined ? null : provider ? (
          <>
            <a className="button primary signin-provider" href={`${provider.login}${back ? `?next=${encodeURIComponent(back)}` : ''}`}>
              Sign in with {provider.name}
            </a>
            <details className="signin-token">
              <summary>Use an access token</summary>
              <TokenForm next={next} hint={false} />
            </details>
          </>
        ) : (
          <TokenForm next={next} hint />
        )}
      </div>
    </div>
  );
}

/** `hint`: how engineers get a token (a CLI command), left out where the provider is the way in. */
function TokenForm({ next, hint }: { next: string | undefined; hint: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const me = useUi((s) => s.me);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn(token.trim());
      useUi.getState().setMe(await api.me());
      setToken('');
      // Back where the 401 interrupted, never to the sign-in page itself.
      navigate(next && !next.startsWith('#/signin') ? next : '#/', true);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That token is not valid (mistyped, or revoked).'
          : err instanceof ApiError
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) void submit();
      }}
    >
      {me && !me.authenticated ? (
        <p className="hint">This server runs without tokens (local only): there is nothing to sign in to.</p>
      ) : null}
      <label className="field">
        <span className="field-name">Token</span>
        <input
          type="password"
          aria-label="Token"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="sluice_…"
        />
      </label>
      {hint ? <p className="hint">Ask an admin for a token: pnpm sluice token add --name you --role editor</p> : null}
      {error ? (
        <p className="message error" role="alert" data-testid="signin-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy || !token.trim()}>
        Sign in
      </button>
    </form>
  );
}
