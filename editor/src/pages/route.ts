/**
 * Hash routes: the server serves one index.html, so the address after `#` picks the page and
 * survives a reload without any server route. No router library: a few routes fit in a switch.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'pipelines' }
  | { page: 'new' }
  | { page: 'editor'; id: string }
  | { page: 'business'; id: string }
  | { page: 'history'; id: string }
  | { page: 'audit'; pipeline?: string }
  | { page: 'workers' }
  | { page: 'signin'; next?: string; problem?: string }
  /** Where a sign-in through the organization's provider lands: the page for the role. */
  | { page: 'start' };

/** `#/p/fraud/history` -> { page: 'history', id: 'fraud' }; anything unknown is the pipelines page. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const q = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'p' && parts[1]) {
    const id = parts[1];
    if (parts.length === 2) return { page: 'editor', id };
    if (parts.length === 3 && parts[2] === 'business') return { page: 'business', id };
    if (parts.length === 3 && parts[2] === 'history') return { page: 'history', id };
  }
  if (parts.length === 1 && parts[0] === 'new') return { page: 'new' };
  if (parts.length === 1 && parts[0] === 'audit')
    return q.get('pipeline') ? { page: 'audit', pipeline: q.get('pipeline')! } : { page: 'audit' };
  if (parts.length === 1 && parts[0] === 'workers') return { page: 'workers' };
  if (parts.length === 1 && parts[0] === 'signin')
    return {
      page: 'signin',
      ...(q.get('next') ? { next: q.get('next')! } : {}),
      ...(q.get('problem') ? { problem: q.get('problem')! } : {}),
    };
  if (parts.length === 1 && parts[0] === 'start') return { page: 'start' };
  return { page: 'pipelines' };
}

export function formatRoute(r: Route): string {
  const p = (id: string) => `#/p/${encodeURIComponent(id)}`;
  switch (r.page) {
    case 'pipelines':
      return '#/';
    case 'new':
      return '#/new';
    case 'editor':
      return p(r.id);
    case 'business':
      return `${p(r.id)}/business`;
    case 'history':
      return `${p(r.id)}/history`;
    case 'audit':
      return r.pipeline ? `#/audit?pipeline=${encodeURIComponent(r.pipeline)}` : '#/audit';
    case 'workers':
      return '#/workers';
    case 'signin': {
      const q = new URLSearchParams({ ...(r.next ? { next: r.next } : {}), ...(r.problem ? { problem: r.problem } : {}) }).toString();
      return q ? `#/signin?${q}` : '#/signin';
    }
    case 'start':
      return '#/start';
  }
}

/** Go to a route; `replace` keeps the current entry out of the back button's history. */
export function navigate(r: Route | string, replace = false): void {
  const hash = typeof r === 'string' ? r : formatRoute(r);
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = hash;
}

const subscribe = (fn: () => void) => {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
};

/** The current hash; a component re-renders when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
