/**
 * The editor's shell: who is signed in, the top bar, and the page the address (`#/...`) names.
 * Any 401 sends the app to the sign-in page and back where it was after signing in.
 */
import { useEffect, useRef } from 'react';
import { BusinessPage } from './business/business-page';
import { ApiError, api, checkSession, type Me, setUnauthenticatedHandler } from './api/client';
import { AuditPage } from './pages/audit-page';
import { EditorPage } from './pages/editor-page';
import { prefetchPipeline } from './pages/use-pipeline-loader';
import { loadPluginTypes, usePluginTypes } from './palette/plugin-types';
import { HistoryPage } from './pages/history-page';
import { PipelinesPage } from './pages/pipelines-page';
import { canEditGraph } from './pages/roles';
import { formatRoute, navigate, parseRoute, type Route, useHash } from './pages/route';
import { SignInPage } from './pages/signin-page';
import { ThemeToggle } from './theme/theme-toggle';
import { StartPage } from './pages/start-page';
import { WorkersPage } from './pages/workers-page';
import { useUi } from './stores/ui-store';

/** How often an open page asks who is signed in (a cheap GET). */
const SESSION_CHECK_MS = 15_000;

/** A server from before sign-in existed: local-only, everyone an admin. */
const LOCAL: Me = { name: 'anonymous', role: 'admin', authenticated: false };

function toSignIn(): void {
  const here = window.location.hash || '#/';
  if (parseRoute(here).page === 'signin') return;
  useUi.getState().setMe(undefined);
  navigate({ page: 'signin', next: here }, true);
}

function loadMe(): void {
  api.me().then(
    (me) => useUi.getState().setMe(me),
    (err) => {
      if (err instanceof ApiError && err.status === 401) toSignIn();
      else if (err instanceof ApiError && err.status === 404) useUi.getState().setMe(LOCAL);
      else useUi.getState().say(`Cannot reach the server: ${err instanceof Error ? err.message : String(err)}`, 'error');
    },
  );
}

// Opening a canvas: its document is on its way while the app asks who is signed in.
const firstRoute = parseRoute(window.location.hash);
if (firstRoute.page === 'editor') prefetchPipeline(firstRoute.id);
// The server's plugin node types, registered before any page draws or validates a document.
if (firstRoute.page !== 'signin') loadPluginTypes();

export function App() {
  const route = parseRoute(useHash());
  const me = useUi((s) => s.me);
  const message = useUi((s) => s.message);

  useEffect(() => {
    setUnauthenticatedHandler(toSignIn);
    return () => setUnauthenticatedHandler(undefined);
  }, []);

  // A page left open notices when the server starts asking for tokens (a restart with tokens
  // added): on coming back to the tab, and every little while when it is showing.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') checkSession();
    };
    const timer = setInterval(onVisible, SESSION_CHECK_MS);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  // Business users work on a pipeline's business page, not its graph; only editors start new pipelines.
  const redirect: Route | undefined =
    me?.role === 'business' && route.page === 'editor'
      ? { page: 'business', id: route.id }
      : me && route.page === 'new' && !canEditGraph(me.role)
        ? { page: 'pipelines' }
        : undefined;
  const redirectTo = redirect ? formatRoute(redirect) : undefined;
  useEffect(() => {
    if (redirectTo) navigate(redirectTo, true);
  }, [redirectTo]);

  // A message belongs to the page it was said on (a new pipeline's first save stays on its canvas).
  const lastPage = useRef(route.page);
  useEffect(() => {
    const from = lastPage.current;
    lastPage.current = route.page;
    if (from !== route.page && !(from === 'new' && route.page === 'editor')) useUi.getState().clearMessage();
  }, [route.page]);

  const onCanvas = route.page === 'editor' || route.page === 'new';
  return (
    <div className="shell">
      <nav className="appbar" aria-label="Main">
        <a href="#/" className="brand">
          Sluice
        </a>
        {me ? (
          <>
            {me.role === 'business' ? (
              // A business user's way back to what she may change (#/start), in her words, not "pipelines".
              <a href="#/start" className={route.page === 'start' ? 'current' : ''}>
                Your pages
              </a>
            ) : (
              <a href="#/" className={route.page === 'pipelines' ? 'current' : ''}>
                Pipelines
              </a>
            )}
            <a href="#/audit" className={route.page === 'audit' ? 'current' : ''}>
              Audit log
            </a>
            {canEditGraph(me.role) ? (
              <a href="#/workers" className={route.page === 'workers' ? 'current' : ''}>
                Workers
              </a>
            ) : null}
          </>
        ) : null}
        {!onCanvas && message ? <span className={`message ${message.kind}`}>{message.text}</span> : null}
        <span className="spacer" />
        <ThemeToggle />
        {me?.authenticated ? (
          <span className="who" data-testid="who">
            {me.name} <span className="badge">{me.role}</span>
            <button
              type="button"
              className="signout"
              onClick={() => {
                void api.signOut().finally(() => {
                  useUi.getState().setMe(undefined);
                  navigate({ page: 'signin' });
                });
              }}
            >
              Sign out
            </button>
          </span>
        ) : null}
      </nav>
      <Page route={route} me={me} redirecting={redirect !== undefined} />
    </div>
  );
}

function Page({ route, me, redirecting }: { route: Route; me: Me | undefined; redirecting: boolean }) {
  // After signing in (or a 401 cleared who it was), ask again who this is.
  useEffect(() => {
    if (!me && route.page !== 'signin') loadMe();
  }, [me, route.page]);
  const nodeTypes = usePluginTypes((s) => s.status);
  useEffect(() => {
    if (me && nodeTypes === 'idle') loadPluginTypes();
  }, [me, nodeTypes]);
  if (route.page === 'signin') return <SignInPage next={route.next} problem={route.problem} />;
  if (!me || redirecting || nodeTypes !== 'ready') return <p className="page hint">Loading…</p>;
  switch (route.page) {
    case 'pipelines':
      return <PipelinesPage role={me.role} />;
    case 'new':
      return <EditorPage pipelineId={undefined} role={me.role} />;
    case 'editor':
      return <EditorPage pipelineId={route.id} role={me.role} />;
    case 'business':
      return <BusinessPage key={route.id} pipelineId={route.id} role={me.role} />;
    case 'history':
      return <HistoryPage key={route.id} pipelineId={route.id} role={me.role} />;
    case 'audit':
      return <AuditPage pipeline={route.pipeline} />;
    case 'start':
      return <StartPage role={me.role} />;
    case 'workers':
      return <WorkersPage />;
  }
}
