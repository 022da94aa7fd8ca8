/**
 * The editor with a 300-node graph in Chromium, as a user has it: the dark theme, the graph
 * deployed with its live numbers streaming, the debug panel open on the selected node's events.
 * Measures a cold load (navigation start, and the document's arrival, to every node in view
 * drawn), then frame times (requestAnimationFrame intervals) while dragging a node and while
 * panning, with the renderer's CPU time per mouse move from a Chromium trace (less sensitive to a
 * shared machine than frame times). Every measure runs several rounds: min, median and max.
 * Writes bench/results/editor.{json,md}. Usage: pnpm bench:editor [rounds]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@sluice/engine';
import { launchBrowser } from '../test/e2e/browser.js';
import {
  COUNTERS,
  FRAMES_STOP,
  framesStart,
  INSTRUMENT,
  inViewDrawn,
  LOAD_MILESTONES,
  pickEmptySpot,
  pickNode,
  TWO_FRAMES,
  VIEW,
} from './editor-page.js';
import { editorMarkdown } from './editor-report.js';
import { endRunMeta, startRunMeta } from './results-meta.js';
import { type CpuTime, traced } from './trace-cpu.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const ROOT = new URL('../', import.meta.url).pathname;
const CHAINS = 10;
const PER_CHAIN = 30;
const ROUNDS = Number(process.argv[2] ?? 5);
/** Mouse moves per drag or pan, and screen px per move. */
const STEPS = 120;
const NODE_STEP = 1;
const PAN_STEP = 2;
const WIGGLE = 20;

function bigGraph() {
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  for (let c = 0; c < CHAINS; c++) {
    for (let i = 0; i < PER_CHAIN; i++) {
      const id = `c${c}n${i}`;
      const position = { x: i * 240, y: c * 120 };
      if (i === 0) nodes.push({ id, type: 'source.generator', position, config: { scenario: 'sensors', rate: 200, seed: c } });
      else if (i === PER_CHAIN - 1) nodes.push({ id, type: 'sink.console', position, config: { limit: 0 } });
      else nodes.push({ id, type: 'filter', position, config: { expression: `temperature > ${i}` } });
      if (i > 0) edges.push({ id: `e${c}_${i}`, source: `c${c}n${i - 1}`, target: id });
    }
  }
  return { format: 'sluice/v1', id: 'big', name: '300 nodes', nodes, edges };
}
const GRAPH = bigGraph();
const POSITIONS = GRAPH.nodes.map((n) => {
  const p = n.position as { x: number; y: number };
  return [n.id as string, p.x, p.y] as [string, number, number];
});

type Counters = Record<string, number>;
const diff = (a: Counters, b: Counters) => Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
/** Min, median and max over the rounds. */
const spread = (xs: number[]) => ({ min: r1(Math.min(...xs)), median: r1(median(xs)), max: r1(Math.max(...xs)) });

/** A cold load of `#/p/big` until every node in view is drawn. */
async function load(page: Page, base: string) {
  await page.goto('about:blank');
  await page.goto(`${base}/#/p/big`);
  await page.waitForFunction(inViewDrawn(POSITIONS), undefined, { polling: 'raf', timeout: 60_000 });
  const m = (await page.evaluate(LOAD_MILESTONES)) as Record<string, number>;
  return { ...m, documentToDrawn: m.drawn! - m.documentFetched! };
}

/** Frame intervals on the loaded canvas with nothing being dragged: the floor this machine gives right now. */
async function idleFrames(page: Page) {
  await page.evaluate(framesStart());
  await page.waitForFunction('window.__sluiceFrames.frames.length >= 120', undefined, { polling: 'raf' });
  const { frames } = (await page.evaluate(FRAMES_STOP)) as { frames: number[] };
  return median(frames.slice(5));
}

interface Round {
  what: string;
  frames: number[];
  ms: number;
  cpu: CpuTime;
  perStep: Counters;
}

/** Mouse down at `from`, STEPS moves along `path`, up; frames and CPU time over the moves. */
async function gesture(
  browser: Browser,
  page: Page,
  what: string,
  from: { x: number; y: number },
  path: (i: number) => [number, number],
  watch = '',
) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.evaluate(TWO_FRAMES);
  const before = (await page.evaluate(COUNTERS)) as Counters;
  const { result, cpu } = await traced(browser, page, async () => {
    await page.evaluate(framesStart(watch));
    for (let i = 1; i <= STEPS; i++) {
      const [dx, dy] = path(i);
      await page.mouse.move(from.x + dx, from.y + dy, { steps: 1 });
    }
    await page.evaluate(TWO_FRAMES);
    return (await page.evaluate(FRAMES_STOP)) as { frames: number[]; missing: number; ms: number };
  });
  const perStep = Object.fromEntries(
    Object.entries(diff(before, (await page.evaluate(COUNTERS)) as Counters)).map(([k, v]) => [k, v / STEPS]),
  );
  return { round: { what, frames: result.frames.slice(2), ms: result.ms, cpu, perStep }, missing: result.missing };
}

/** Fit the view (the Controls button) and wait until what it shows is drawn. */
async function fitAll(page: Page) {
  await page.locator('.react-flow__controls-fitview').click();
  await page.waitForFunction(inViewDrawn(POSITIONS), undefined, { polling: 'raf', timeout: 30_000 });
  await page.evaluate(TWO_FRAMES);
}

async function dragNode(browser: Browser, page: Page, round: number, used: string[]): Promise<Round> {
  const sign = round % 2 ? -1 : 1;
  await fitAll(page);
  const node = (await page.evaluate(pickNode(used, sign * NODE_STEP * STEPS, WIGGLE))) as { id: string; x: number; y: number } | null;
  if (!node) throw new Error('no node in view that can be dragged clear of the canvas edges and overlays');
  used.push(node.id);
  const box = (await page.getByTestId(`node-${node.id}`).boundingBox())!;
  const { round: r, missing } = await gesture(browser, page, `node ${node.id}`, node, (i) => [sign * NODE_STEP * i, i % WIGGLE], node.id);
  const moved = await page.getByTestId(`node-${node.id}`).boundingBox();
  await page.mouse.up();
  if (missing > 0) throw new Error(`node ${node.id} left the canvas on ${missing} frames of its drag`);
  const want = sign * NODE_STEP * STEPS;
  if (!moved || Math.abs(moved.x - box.x - want) > 3)
    throw new Error(`node ${node.id} did not follow the drag: ${box.x} -> ${moved?.x}, the mouse moved ${want} px`);
  return r;
}

async function pan(browser: Browser, page: Page, round: number): Promise<Round> {
  const sign = round % 2 ? -1 : 1;
  const dx = sign * PAN_STEP * STEPS;
  const dy = sign * (STEPS / 2);
  await fitAll(page);
  const spot = (await page.evaluate(pickEmptySpot(dx, dy))) as { x: number; y: number } | null;
  if (!spot) throw new Error('no empty spot of the canvas to pan from');
  const before = (await page.evaluate(VIEW)) as { x: number; y: number };
  const { round: r } = await gesture(browser, page, 'pan', spot, (i) => [(dx * i) / STEPS, (dy * i) / STEPS]);
  await page.mouse.up();
  const after = (await page.evaluate(VIEW)) as { x: number; y: number };
  if (Math.abs(after.x - before.x - dx) > 3 || Math.abs(after.y - before.y - dy) > 3)
    throw new Error(`the view did not follow the pan: moved ${after.x - before.x}, ${after.y - before.y} for ${dx}, ${dy}`);
  return r;
}

/** Per round: frame p50/p95/max, frames per second, CPU ms per mouse move; then min/median/max of each over the rounds. */
function summarise(rounds: Round[], idleCpuMsPerSecond: number) {
  const per = rounds.map((r) => {
    const s = [...r.frames].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
    return {
      what: r.what,
      frames: s.length,
      fps: r1((1000 * s.length) / r.ms),
      p50: r1(q(0.5)),
      p95: r1(q(0.95)),
      max: r1(s[s.length - 1]!),
      mainCpuMsPerMove: r1(r.cpu.mainMs / STEPS),
      rendererCpuMsPerMove: r1(r.cpu.rendererMs / STEPS),
      mainCpuMsPerFrame: r1(r.cpu.mainMs / s.length),
      // A slow machine stretches a gesture; what the page does anyway meanwhile (metrics, taps) is not the move's cost.
      moveOwnCpuMs: r1(Math.max(0, r.cpu.mainMs - (idleCpuMsPerSecond * r.ms) / 1000) / STEPS),
    };
  });
  const of = (k: Exclude<keyof (typeof per)[number], 'what'>) => spread(per.map((p) => p[k]));
  const perStepKeys = [...new Set(rounds.flatMap((r) => Object.keys(r.perStep)))];
  return {
    fps: of('fps'),
    p50: of('p50'),
    p95: of('p95'),
    max: of('max'),
    mainCpuMsPerMove: of('mainCpuMsPerMove'),
    rendererCpuMsPerMove: of('rendererCpuMsPerMove'),
    mainCpuMsPerFrame: of('mainCpuMsPerFrame'),
    moveOwnCpuMs: of('moveOwnCpuMs'),
    /** React commits and components rendered per mouse move, median of the rounds. */
    perMove: Object.fromEntries(perStepKeys.map((k) => [k, r1(median(rounds.map((r) => r.perStep[k] ?? 0)))])),
    rounds: per,
  };
}

const started = Date.now();
/** Progress on stderr: on a loaded machine a run takes minutes. */
const log = (what: string) => console.error(`[${Math.round((Date.now() - started) / 1000)} s] ${what}`);
const meta = startRunMeta();
// Its own build folder, so a test building editor/dist meanwhile cannot pull files from under it
// (SLUICE_BENCH_DIST: an existing build, e.g. to compare two versions).
const dist = process.env.SLUICE_BENCH_DIST ?? mkdtempSync(join(tmpdir(), 'sluice-ebench-dist-'));
if (!process.env.SLUICE_BENCH_DIST)
  execSync(`pnpm --filter @sluice/editor exec vite build --outDir ${dist} --emptyOutDir`, { cwd: ROOT, stdio: 'ignore' });
const server = await startServer({
  port: 18_777,
  host: '127.0.0.1',
  dataDir: mkdtempSync(join(tmpdir(), 'sluice-ebench-')),
  editorDist: dist,
  log: () => undefined,
});
const base = 'http://127.0.0.1:18777';
const created = await fetch(`${base}/api/pipelines`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(GRAPH),
});
if (!created.ok) throw new Error(`the 300-node graph was refused: ${created.status} ${await created.text()}`);
log('editor built, server up');
const browser = await launchBrowser();
// The system asks for dark: the editor follows it (issue 13), checked below.
const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
await page.addInitScript(INSTRUMENT);

try {
  const loads: Record<string, number>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    loads.push(await load(page, base));
    log(`load ${i + 1}: ${Math.round(loads[i]!.drawn!)} ms`);
  }
  const theme = (await page.evaluate('document.documentElement.dataset.theme')) as string;
  if (theme !== 'dark') throw new Error(`the editor is in the ${theme} theme, not dark`);
  const idleFrameMs = r1(median([await idleFrames(page), await idleFrames(page), await idleFrames(page)]));

  log('deploying');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.waitForFunction(
    `[...document.querySelectorAll('[data-testid^="counts-"]')].some((e) => e.textContent.includes('/s'))`,
    undefined,
    {
      timeout: 60_000,
    },
  );
  // The debug panel open on the node events of a node in the middle of the view, as a user watching it would have it.
  await page.getByRole('tab', { name: 'Node events' }).click();
  await page.getByRole('tabpanel').waitFor();
  await fitAll(page);
  const watched = (await page.evaluate(pickNode([], 0, 0))) as { id: string; x: number; y: number } | null;
  if (!watched) throw new Error('no node in view to select');
  await page.mouse.click(watched.x, watched.y);
  await page
    .getByRole('tabpanel')
    .getByRole('heading', { name: `Into ${watched.id}` })
    .waitFor();

  log(`debug panel open on ${watched.id}`);
  // A metrics message a second: what re-renders for it, with nothing else going on.
  // Its CPU time too: what the page spends per second with nothing moving (metrics, the debug panel's taps).
  const idleStart = (await page.evaluate(COUNTERS)) as Counters;
  const idleFrom = Date.now();
  const { cpu: idleCpu } = await traced(browser, page, () =>
    page.waitForFunction(`window.__sluiceRenders.metricsMessages >= ${(idleStart.metricsMessages ?? 0) + 5}`, undefined, {
      timeout: 60_000,
    }),
  );
  const idleCpuMsPerSecond = r1((1000 * idleCpu.mainMs) / (Date.now() - idleFrom));
  const idle = diff(idleStart, (await page.evaluate(COUNTERS)) as Counters);
  const messages = Math.max(1, idle.metricsMessages ?? 0);

  const drags: Round[] = [];
  const pans: Round[] = [];
  const used: string[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      drags.push(await dragNode(browser, page, i, used));
      log(`drag ${i + 1}: ${drags[i]!.what}`);
      pans.push(await pan(browser, page, i));
      log(`pan ${i + 1}`);
    }
  } catch (err) {
    await page.screenshot({ path: join(tmpdir(), 'sluice-ebench-failed.png') });
    console.error(`screenshot: ${join(tmpdir(), 'sluice-ebench-failed.png')}`);
    throw err;
  }
  const debugPanelOpen = (await page.getByRole('tabpanel').count()) > 0;
  if (!debugPanelOpen) throw new Error('the debug panel closed during the measures');

  const milestones = Object.keys(loads[0]!);
  const result = {
    ...endRunMeta(meta),
    chromium: browser.version(),
    viewport: '1400x900',
    nodes: GRAPH.nodes.length,
    rounds: ROUNDS,
    theme,
    debugPanelOpen,
    /** Cold loads of #/p/big, ms: from navigation start, and from the document's arrival, to every node in view drawn. */
    load: {
      fromNavigationMs: spread(loads.map((l) => l.drawn!)),
      fromDocumentMs: spread(loads.map((l) => l.documentToDrawn!)),
      /** Median milestones since navigation start; nodes in view and nodes drawn so far. */
      breakdown: Object.fromEntries(milestones.map((k) => [k, Math.round(median(loads.map((l) => l[k]!)))])),
    },
    /** Median frame interval with nothing going on but the metrics (ms): the machine's floor at the time. */
    idleFrameMs,
    /** A node dragged by 120 one-px mouse moves, and the canvas panned by 120 moves, live numbers streaming. */
    /** Main-thread CPU ms per second on the idle canvas, metrics streaming and the debug panel open. */
    idleCpuMsPerSecond,
    nodeDrag: summarise(drags, idleCpuMsPerSecond),
    pan: summarise(pans, idleCpuMsPerSecond),
    /** Per metrics message on an idle canvas: React commits and components rendered. */
    perMetricsMessage: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, r1(v / messages)])),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/editor.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(ROOT, 'bench/results/editor.md'), editorMarkdown(result));
} finally {
  await browser.close();
  await server.close();
}
