/** Sign in with an API token (`#/signin`): the server answers with a session cookie. */
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { useUi } from '../stores/ui-store';
import { navigate } from './route';

export function SignInPage({ next }: { next: string | undefined }) {
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
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not valid (mistyped, or revoked).' : err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page signin-page" data-testid="signin-page">
      <form
        className="signin"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) void submit();
        }}
      >
        <h1>Sign in to Sluice</h1>
        {me && !me.authenticated ? <p className="hint">This server runs without tokens (local only): there is nothing to sign in to.</p> : null}
        <label className="field">
          <span className="field-name">Token</span>
          <input type="password" aria-label="Token" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="sluice_…" />
        </label>
        <p className="hint">Ask an admin for a token: pnpm sluice token add --name you --role editor</p>
        {error ? (
          <p className="message error" role="alert" data-testid="signin-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          Sign in
        </button>
      </form>
    </div>
  );
}
