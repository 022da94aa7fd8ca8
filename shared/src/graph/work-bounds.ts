/**
 * The work a config may imply (GRAPH_FORMAT.md: "a config implies unbounded work" is refused).
 * One valid-looking document must never be able to block a server: a sliding window of 1d
 * every 1ms would add each event to 86,400,000 windows. Node types compute their figures in
 * their own `check` and report them with `workBoundProblem`, so every refusal names the node,
 * the config path, the figure and the limit the same way. Documented in docs/windows.md.
 */
import type { ConfigProblem } from './node-type.js';

export const WORK_LIMITS = {
  /**
   * Windows one event is added to (sliding: ceil(size / slide)): GRAPH_FORMAT.md's 10,000 panes
   * per event. Each new key creates that many windows at once, so the embedded runner shrinks
   * its batches when one is slow and yields between them (the API keeps answering).
   */
  windowsPerEvent: 10_000,
  /**
   * Windows (each with a timer) one key may hold open at once: ceil((size + allowedLateness) /
   * slide) for fixed windows, ceil((gap + allowedLateness) / gap) for sessions.
   */
  openWindowsPerKey: 100_000,
} as const;

export type WorkLimit = keyof typeof WORK_LIMITS;

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "1,000" (and "more than 9,007,199,254,740,991" for a figure past exact numbers). */
export function formatCount(n: number): string {
  return Number.isFinite(n) && n <= Number.MAX_SAFE_INTEGER ? number.format(n) : `more than ${number.format(Number.MAX_SAFE_INTEGER)}`;
}

/**
 * A refusal when `figure` exceeds the limit: `what` says what the config does and ends with
 * the figure, e.g. "a 1d window sliding every 1ms puts each event in 86,400,000 windows".
 */
export function workBoundProblem(
  path: string,
  limit: WorkLimit,
  figure: number,
  what: (count: string) => string,
): ConfigProblem | undefined {
  const max = WORK_LIMITS[limit];
  if (figure <= max) return undefined;
  return { path, code: 'too-much-work', message: `${what(formatCount(figure))}; the limit is ${formatCount(max)}` };
}
