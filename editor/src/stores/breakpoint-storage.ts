/**
 * Where the debugger's breakpoints last across reloads (docs/debugger.md, "Where breakpoints
 * live"): this browser's localStorage, one entry per user and pipeline, never the document (it
 * is exported and shared; a breakpoint is one person's way of looking at a run). A value read
 * back is checked: anything that is not a small map of edge ids to conditions is ignored.
 */

const PREFIX = 'sluice.breakpoints';
/** As many as a debug session takes (the server's limit), and a condition as long. */
export const MAX_STORED_BREAKPOINTS = 50;
const MAX_CONDITION = 10_000;

const keyOf = (user: string, pipelineId: string) => `${PREFIX}:${encodeURIComponent(user)}:${encodeURIComponent(pipelineId)}`;

const storage = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // refused (a sandboxed frame): breakpoints last as long as the page
  }
};

/** The breakpoints kept for this user and pipeline, by edge id: the condition ('' = every event). */
export function loadBreakpoints(user: string, pipelineId: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage()?.getItem(keyOf(user, pipelineId)) ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const entries = Object.entries(parsed).filter(
    (e): e is [string, string] => e[0].length > 0 && typeof e[1] === 'string' && e[1].length <= MAX_CONDITION,
  );
  return Object.fromEntries(entries.slice(0, MAX_STORED_BREAKPOINTS));
}

/** Keeps them (none: the entry goes). A full or refused storage keeps them for this page only. */
export function saveBreakpoints(user: string, pipelineId: string, breakpoints: Record<string, string>): void {
  try {
    const key = keyOf(user, pipelineId);
    if (Object.keys(breakpoints).length === 0) storage()?.removeItem(key);
    else storage()?.setItem(key, JSON.stringify(breakpoints));
  } catch {
    // Quota or private mode: nothing to tell the user beyond what the page still shows.
  }
}

/**
 * Calls `changed` when another tab of this browser changes the entry of this user and pipeline
 * (the `storage` event fires in the other tabs only, never in the one that wrote); `owner` is
 * read at each event. Returns the unsubscribe.
 */
export function onOtherTabChange(owner: () => { user: string; pipelineId?: string } | undefined, changed: () => void): () => void {
  const target = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
  const listener = (e: StorageEvent) => {
    const o = owner();
    if (o?.pipelineId === undefined) return;
    // key null: the other tab cleared the whole storage.
    if (e.key === null || e.key === keyOf(o.user, o.pipelineId)) changed();
  };
  target.addEventListener('storage', listener);
  return () => target.removeEventListener?.('storage', listener);
}
