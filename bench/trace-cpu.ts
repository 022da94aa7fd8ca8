/**
 * CPU time from a Chromium trace: the thread time (`tdur`, not wall time) of the top-level tasks
 * run by the page's renderer. On a shared machine a frame's wall time grows with what else runs;
 * the CPU time the page spent on it grows far less, so it says whether the editor itself fits a
 * frame budget.
 */
import type { launchBrowser } from '../test/e2e/browser.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Parameters<Browser['startTracing']>[0];

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface CpuTime {
  /** The renderer's main thread (JavaScript, style, layout, paint records), ms. */
  mainMs: number;
  /** Every thread of the renderer process (main, compositor, raster workers), ms. */
  rendererMs: number;
}

/** Categories whose top-level tasks carry thread time; light enough to leave frame times alone. */
const CATEGORIES = ['toplevel'];

export async function traced<T>(browser: Browser, page: Page, work: () => Promise<T>): Promise<{ result: T; cpu: CpuTime }> {
  await browser.startTracing(page, { categories: CATEGORIES });
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await browser.stopTracing();
    throw err;
  }
  const buffer = await browser.stopTracing();
  return { result, cpu: cpuOf(JSON.parse(buffer.toString('utf8'))) };
}

/** The top-level task events of the `toplevel` category: a thread's own task queue, and the thread pool's workers. */
const TASKS = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);

/** Sums the thread time of non-nested tasks per thread; the renderer is the process whose main thread worked most. */
export function cpuOf(trace: { traceEvents?: TraceEvent[] } | TraceEvent[]): CpuTime {
  const events = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) names.set(`${e.pid}:${e.tid}`, e.args.name);
  const perThread = new Map<string, number>();
  const openUntil = new Map<string, number>();
  const tasks = events.filter((e) => e.ph === 'X' && TASKS.has(e.name) && e.tdur !== undefined).sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    const key = `${e.pid}:${e.tid}`;
    // A task inside another (a nested run loop) is already counted in its parent.
    if (e.ts < (openUntil.get(key) ?? -1)) continue;
    openUntil.set(key, e.ts + (e.dur ?? 0));
    perThread.set(key, (perThread.get(key) ?? 0) + (e.tdur ?? 0));
  }
  let main: [string, number] | undefined;
  for (const [key, us] of perThread) if (names.get(key) === 'CrRendererMain' && (!main || us > main[1])) main = [key, us];
  if (!main) throw new Error('the trace has no renderer main thread tasks (did Chromium record thread time?)');
  const pid = main[0].split(':')[0];
  let renderer = 0;
  for (const [key, us] of perThread) if (key.split(':')[0] === pid) renderer += us;
  return { mainMs: main[1] / 1000, rendererMs: renderer / 1000 };
}
