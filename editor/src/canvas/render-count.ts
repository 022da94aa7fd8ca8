/**
 * Render counters for the editor benchmark (bench/editor-300.ts): off, at the cost of one
 * property read, unless the page defined `window.__sluiceRenders` before the app loaded.
 */
type Counters = Record<string, number>;

export function countRender(what: string): void {
  const counters = (globalThis as { __sluiceRenders?: Counters }).__sluiceRenders;
  if (counters) counters[what] = (counters[what] ?? 0) + 1;
}
