/**
 * The editor with a 300-node graph, in Chromium: time to load and render it, frame times while
 * dragging a node as live metrics stream in (the graph is deployed), and what React does meanwhile
 * (commits, node components rendered per drag step and per metrics message). Each measure runs
 * several times and reports the median, since the machine may be shared. Results beside the
 * engine's in bench/results/editor.json. Usage: pnpm bench:editor [runs]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@sluice/engine';
import { launchBrowser } from '../test/e2e/browser.js';

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>['newPage']>>;

const ROOT = new URL('../', import.meta.url).pathname;
const CHAINS = 10;
const PER_CHAIN = 30;
const NODES = CHAINS * PER_CHAIN;
const RUNS = Number(process.argv[2] ?? 5);
const DRAG_STEPS = 120;

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

/**
 * Before the app loads: a stand-in for the React DevTools hook counts commits (React calls it in
 * production builds too), and `__sluiceRenders` turns on the editor's render counters
 * (editor/src/canvas/render-count.ts).
 */
const INSTRUMENT = `(() => {
  window.__sluiceRenders = {};
  window.__sluiceCommits = 0;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, renderers: new Map(), checkDCE() {}, inject() { return 1; },
    onCommitFiberRoot() { window.__sluiceCommits++; }, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {}, onScheduleFiberRoot() {},
  };
  // Every node put on the canvas at least once: a big graph keeps only the nodes in view mounted.
  window.__sluiceSeen = new Set();
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (!(n instanceof Element)) continue;
      if (n.matches('.react-flow__node')) window.__sluiceSeen.add(n.getAttribute('data-id'));
      for (const e of n.querySelectorAll('.react-flow__node')) window.__sluiceSeen.add(e.getAttribute('data-id'));
    }
    if (window.__sluiceSeen.size > 0 && !window.__sluiceFirstNodeAt) window.__sluiceFirstNodeAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
})()`;
const COUNTERS = `({ commits: window.__sluiceCommits, ...window.__sluiceRenders })`;
type Counters = Record<string, number>;
const diff = (a: Counters, b: Counters) => Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * True once the view is fitted and every node in it is on the canvas (a big graph mounts only the
 * nodes in view). Node boxes from the generated positions, 215 x 47 px (styles.css).
 */
const POSITIONS = bigGraph().nodes.map((n) => [n.id, (n.position as { x: number }).x, (n.position as { y: number }).y]);
const IN_VIEW_DRAWN = `(() => {
  const vp = document.querySelector('.react-flow__viewport');
  const pane = document.querySelector('.react-flow__renderer');
  if (!vp || !pane) return false;
  const m = new DOMMatrixReadOnly(getComputedStyle(vp).transform);
  if (m.a === 1 && m.e === 0 && m.f === 0) return false; // not fitted yet (300 nodes need a smaller zoom)
  const r = pane.getBoundingClientRect();
  const x0 = -m.e / m.a, y0 = -m.f / m.a, x1 = x0 + r.width / m.a, y1 = y0 + r.height / m.a;
  const want = ${JSON.stringify(POSITIONS)}.filter(([, x, y]) => x + 215 > x0 && x < x1 && y + 47 > y0 && y < y1);
  window.__sluiceInView = want.length;
  return want.length > 0 && want.every(([id]) => document.querySelector('.react-flow__node[data-id="' + id + '"]'));
})()`;

/** A cold load of `#/p/big` until every node in view is on the canvas, with where the time went. */
async function load(page: Page, base: string) {
  await page.goto('about:blank');
  await page.goto(`${base}/#/p/big`);
  await page.waitForFunction(IN_VIEW_DRAWN, undefined, { polling: 'raf', timeout: 60_000 });
  // Milliseconds since the navigation started (the Performance API's time origin).
  return (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const end = (re) => Math.max(0, ...res.filter((r) => re.test(r.name)).map((r) => r.responseEnd));
    return {
      total: performance.now(),
      html: nav.responseEnd,
      scripts: end(/\\.js$/),
      domContentLoaded: nav.domContentLoadedEventEnd,
      whoFetched: end(/\\/api\\/me$/),
      documentFetched: end(/\\/api\\/pipelines\\/big$/),
      firstNodes: window.__sluiceFirstNodeAt ?? 0,
      nodesInView: window.__sluiceInView,
      nodesDrawn: window.__sluiceSeen.size,
    };
  })()`)) as Record<string, number>;
}

/** Frame durations over a while with nothing happening: the floor this machine gives right now. */
async function idleFrames(page: Page) {
  const frames = (await page.evaluate(`new Promise((done) => {
    const out = [];
    let last = performance.now();
    const tick = (t) => { out.push(t - last); last = t; if (out.length < 120) requestAnimationFrame(tick); else done(out); };
    requestAnimationFrame(tick);
  })`)) as number[];
  return median(frames.slice(5));
}

/** Drag a node across the canvas, one mouse move per step; frame durations from requestAnimationFrame. */
async function drag(page: Page, nodeId: string, dx: number) {
  // Select it first (its panel opens and the canvas narrows), then fit the view: the node is in view
  // and the drag stays clear of the edges, where React Flow would pan.
  await page.locator('.react-flow__controls-fitview').click();
  await page.locator(`[data-testid="node-${nodeId}"]`).click();
  await page.locator('.react-flow__controls-fitview').click();
  await page.waitForTimeout(300);
  const box = (await page.locator(`[data-testid="node-${nodeId}"]`).boundingBox())!;
  // A string, not a function: the TypeScript loader decorates functions with helpers the page lacks.
  await page.evaluate(`(() => {
    window.frames_ = [];
    window.framesOn_ = true;
    let last = performance.now();
    const tick = (t) => { window.frames_.push(t - last); last = t; if (window.framesOn_) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  // A node in the middle columns: at the smallest zoom (0.5) the graph is wider than the view.
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  const before = (await page.evaluate(COUNTERS)) as Counters;
  for (let i = 1; i <= DRAG_STEPS; i++) await page.mouse.move(x + i * dx, y + (i % 20), { steps: 1 });
  const during = diff(before, (await page.evaluate(COUNTERS)) as Counters);
  await page.mouse.up();
  const moved = (await page.locator(`[data-testid="node-${nodeId}"]`).boundingBox())!;
  if (Math.abs(moved.x - box.x) < DRAG_STEPS / 2) throw new Error(`node ${nodeId} did not follow the drag (${box.x} -> ${moved.x})`);
  const frames = ((await page.evaluate('(window.framesOn_ = false, window.frames_)')) as number[]).slice(5).sort((a, b) => a - b);
  const q = (p: number) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))]!;
  return {
    p50: q(0.5),
    p95: q(0.95),
    max: frames[frames.length - 1]!,
    frames: frames.length,
    perStep: Object.fromEntries(Object.entries(during).map(([k, v]) => [k, v / DRAG_STEPS])),
  };
}

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
await fetch(`${base}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigGraph()) });
const browser = await launchBrowser();
// The dark theme (issue 13): its tokens and React Flow's overrides are what the canvas paints.
const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
await page.addInitScript(INSTRUMENT);

const loads: Record<string, number>[] = [];
for (let i = 0; i < RUNS; i++) loads.push(await load(page, base));

const idleFrameMs = r1(median([await idleFrames(page), await idleFrames(page), await idleFrames(page)]));

await page.getByRole('button', { name: 'Deploy' }).click();
await page.waitForFunction(`(document.querySelector('[data-testid="counts-c2n13"]')?.textContent ?? '').includes('/s')`, undefined, {
  timeout: 30_000,
});

// The debug panel open on the node events of a node in view, as a user watching it would have it.
await page.getByTestId('node-c2n13').click();
await page.getByRole('tab', { name: 'Node events' }).click();
await page.getByRole('tabpanel').waitFor();
// The canvas is shorter and narrower now (debug panel, side panel): the whole graph fitted into it again.
await page.getByRole('button', { name: 'Fit view' }).click();

// A metrics message once a second: what re-renders for it, with nothing else going on.
const idleStart = (await page.evaluate(COUNTERS)) as Counters;
await page.waitForTimeout(5000);
const idle = diff(idleStart, (await page.evaluate(COUNTERS)) as Counters);
const messages = Math.max(1, idle.metricsMessages ?? 0);

const drags: Awaited<ReturnType<typeof drag>>[] = [];
try {
  for (let i = 0; i < RUNS; i++) drags.push(await drag(page, `c${2 + (i % 6)}n${13 + (i % 4)}`, i % 2 ? -1 : 1));
} catch (err) {
  await page.screenshot({ path: join(tmpdir(), 'sluice-ebench-failed.png') });
  throw err;
}

const keys = Object.keys(loads[0]!);
const perStepKeys = [...new Set(drags.flatMap((d) => Object.keys(d.perStep)))];
const result = {
  date: new Date().toISOString(),
  commit: execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim(),
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    load1: r1(Number(execSync('cut -d" " -f1 /proc/loadavg', { encoding: 'utf8' }))),
  },
  nodes: NODES,
  runs: RUNS,
  /** The theme the page ran in, and the debug panel open (node events) during the idle and drag measures. */
  theme: (await page.evaluate('document.documentElement.dataset.theme')) as string,
  debugPanelOpen: (await page.getByRole('tabpanel').count()) > 0,
  /** Cold load of #/p/big: navigation start to the view fitted and every node in it on the canvas, median of the runs. */
  loadAndRenderMs: Math.round(median(loads.map((l) => l.total ?? 0))),
  loadRunsMs: loads.map((l) => Math.round(l.total ?? 0)),
  /** Median milestones since navigation start (HTML, scripts, DOMContentLoaded, who is signed in, the document fetched, the first nodes in the DOM), nodes in view and nodes drawn so far. */
  loadBreakdownMs: Object.fromEntries(keys.map((k) => [k, Math.round(median(loads.map((l) => l[k]!)))])),
  /** Median frame duration on the loaded canvas with nothing happening (no drag, no metrics). */
  idleFrameMs,
  /** Frame durations while dragging (120 mouse moves per run) with metrics streaming: medians of the runs' p50/p95/max. */
  dragFrameMs: {
    p50: r1(median(drags.map((d) => d.p50))),
    p95: r1(median(drags.map((d) => d.p95))),
    max: r1(median(drags.map((d) => d.max))),
    framesPerRun: Math.round(median(drags.map((d) => d.frames))),
  },
  /** Per drag step (one mouse move): React commits and components rendered, median of the runs. */
  perDragStep: Object.fromEntries(perStepKeys.map((k) => [k, r1(median(drags.map((d) => d.perStep[k] ?? 0)))])),
  /** Per metrics message, idle canvas: React commits and components rendered. */
  perMetricsMessage: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, r1(v / messages)])),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/editor.json'), `${JSON.stringify(result, null, 2)}\n`);
await browser.close();
await server.close();
