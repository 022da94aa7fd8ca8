/**
 * The editor with a 300-node graph, in Chromium: time to load and render it, and frame times
 * while dragging a node as live metrics stream in (the graph is deployed). Results beside the
 * engine's in bench/results/editor.json. Usage: pnpm bench:editor
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../engine/src/server/start-server.js';
import { launchBrowser } from '../test/e2e/browser.js';

const ROOT = new URL('../', import.meta.url).pathname;
const CHAINS = 10;
const PER_CHAIN = 30;

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

execSync('pnpm --filter @sluice/editor build', { cwd: ROOT, stdio: 'ignore' });
const server = await startServer({ port: 18_777, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'sluice-ebench-')), log: () => undefined });
const base = 'http://127.0.0.1:18777';
await fetch(`${base}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigGraph()) });
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(base);
await page.getByLabel('Pipeline', { exact: true }).waitFor();

const t0 = (await page.evaluate('performance.now()')) as number;
await page.getByLabel('Pipeline', { exact: true }).selectOption('big');
await page.waitForFunction(`document.querySelectorAll('.react-flow__node').length >= ${CHAINS * PER_CHAIN}`, undefined, { polling: 'raf' });
const loadMs = ((await page.evaluate('performance.now()')) as number) - t0;

await page.getByRole('button', { name: 'Deploy' }).click();
await page.waitForTimeout(2500); // metrics are streaming now
const node = (await page.locator('[data-testid="node-c0n1"]').boundingBox())!;
// A string, not a function: the TypeScript loader decorates functions with helpers the page lacks.
await page.evaluate(`(() => {
  window.frames_ = [];
  let last = performance.now();
  const tick = (t) => { window.frames_.push(t - last); last = t; if (window.frames_.length < 400) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`);
await page.mouse.move(node.x + 40, node.y + 10);
await page.mouse.down();
for (let i = 0; i < 120; i++) await page.mouse.move(node.x + 40 + i * 3, node.y + 10 + (i % 20), { steps: 1 });
await page.mouse.up();
const frames = ((await page.evaluate('window.frames_')) as number[]).slice(5).sort((a, b) => a - b);
const p = (q: number) => Math.round(frames[Math.min(frames.length - 1, Math.floor(q * frames.length))]! * 10) / 10;
const result = {
  date: new Date().toISOString(),
  commit: execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length },
  nodes: CHAINS * PER_CHAIN,
  loadAndRenderMs: Math.round(loadMs),
  dragFrameMs: { p50: p(0.5), p95: p(0.95), max: p(0.999), frames: frames.length },
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/editor.json'), `${JSON.stringify(result, null, 2)}\n`);
await browser.close();
await server.close();
