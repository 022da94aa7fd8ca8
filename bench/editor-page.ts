/**
 * What bench/editor-300.ts runs inside the page, as strings (the TypeScript loader decorates
 * functions with helpers the page lacks): counters, the "every node in view drawn" check, a frame
 * recorder, and the choice of a node and of an empty spot a user could really grab: in view, far
 * from the canvas's edges (where React Flow pans) and under no overlay (minimap, controls).
 */

/**
 * Before the app loads: a stand-in for the React DevTools hook counts commits (React calls it in
 * production builds too), and `__sluiceRenders` turns on the editor's render counters
 * (editor/src/canvas/render-count.ts).
 */
export const INSTRUMENT = `(() => {
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

export const COUNTERS = `({ commits: window.__sluiceCommits, ...window.__sluiceRenders })`;

/** A node box before it is measured (styles.css). */
const NODE_W = 215;
const NODE_H = 47;

/**
 * True once the view is fitted and every node in it is on the canvas (a big graph mounts only the
 * nodes in view); the first time it is, `__sluiceDrawnAt` keeps when (polled every frame).
 */
export function inViewDrawn(positions: [string, number, number][]): string {
  return `(() => {
  const vp = document.querySelector('.react-flow__viewport');
  const pane = document.querySelector('.react-flow__renderer');
  if (!vp || !pane) return false;
  const m = new DOMMatrixReadOnly(getComputedStyle(vp).transform);
  if (m.a === 1 && m.e === 0 && m.f === 0) return false; // not fitted yet (300 nodes need a smaller zoom)
  const r = pane.getBoundingClientRect();
  const x0 = -m.e / m.a, y0 = -m.f / m.a, x1 = x0 + r.width / m.a, y1 = y0 + r.height / m.a;
  const want = ${JSON.stringify(positions)}.filter(([, x, y]) => x + ${NODE_W} > x0 && x < x1 && y + ${NODE_H} > y0 && y < y1);
  window.__sluiceInView = want.length;
  const done = want.length > 0 && want.every(([id]) => document.querySelector('.react-flow__node[data-id="' + id + '"]'));
  if (done && !window.__sluiceDrawnAt) window.__sluiceDrawnAt = performance.now();
  return done;
})()`;
}

/** Milestones of the load just made, in ms since navigation start. */
export const LOAD_MILESTONES = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const end = (re) => Math.max(0, ...res.filter((r) => re.test(r.name)).map((r) => r.responseEnd));
  return {
    drawn: window.__sluiceDrawnAt,
    html: nav.responseEnd,
    scripts: end(/\\.js$/),
    domContentLoaded: nav.domContentLoadedEventEnd,
    whoFetched: end(/\\/api\\/me$/),
    documentFetched: end(/\\/api\\/pipelines\\/big$/),
    firstNodes: window.__sluiceFirstNodeAt ?? 0,
    nodesInView: window.__sluiceInView,
    nodesDrawn: window.__sluiceSeen.size,
  };
})()`;

/**
 * Records requestAnimationFrame intervals until FRAMES_STOP, and how many frames did not have
 * node `watch` on the canvas (a dragged node must never leave React Flow's drawn set).
 */
export function framesStart(watch = ''): string {
  return `(() => {
  const rec = { frames: [], missing: 0, on: true, t0: performance.now() };
  window.__sluiceFrames = rec;
  let last = rec.t0;
  const tick = (t) => {
    rec.frames.push(t - last);
    last = t;
    if (${JSON.stringify(watch)} && !document.querySelector('.react-flow__node[data-id=${JSON.stringify(watch)}]')) rec.missing++;
    if (rec.on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;
}
export const FRAMES_STOP = `(() => {
  const rec = window.__sluiceFrames;
  rec.on = false;
  return { frames: rec.frames, missing: rec.missing, ms: performance.now() - rec.t0 };
})()`;

/** Two frames: what the last input or click changed is laid out and painted. */
export const TWO_FRAMES = 'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))';

/** The canvas's box and React Flow's viewport transform. */
export const VIEW = `(() => {
  const m = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')).transform);
  const r = document.querySelector('.react-flow').getBoundingClientRect();
  return { x: m.e, y: m.f, zoom: m.a, pane: { left: r.left, top: r.top, right: r.right, bottom: r.bottom } };
})()`;

/** Shared by the two pickers: is (x, y) in the canvas, `margin` px from its edges, under no overlay? */
const CLEAR = `
  const flow = document.querySelector('.react-flow').getBoundingClientRect();
  const inside = (x, y, margin) => x > flow.left + margin && x < flow.right - margin && y > flow.top + margin && y < flow.bottom - margin;
  const uncovered = (x, y) => {
    const el = document.elementFromPoint(x, y);
    return !!el && !!el.closest('.react-flow') && !el.closest('.react-flow__minimap, .react-flow__controls, .react-flow__panel');
  };
  // React Flow pans when the pointer comes this close to the canvas's edge during a drag; kept well clear.
  const EDGE = 60;`;

/**
 * The pipeline node nearest the canvas's centre, not in `avoid`, that a user can grab (its centre
 * hits the node itself) and drag by (dx, 0..dy) screen px staying in view and clear of overlays.
 */
export function pickNode(avoid: string[], dx: number, dy: number): string {
  return `(() => {${CLEAR}
  const cx = (flow.left + flow.right) / 2, cy = (flow.top + flow.bottom) / 2;
  const boxOk = (b, ox, oy) => {
    const pts = [[b.left + 2, b.top + 2], [b.right - 2, b.top + 2], [b.left + 2, b.bottom - 2], [b.right - 2, b.bottom - 2]];
    return pts.every(([x, y]) => inside(x + ox, y + oy, EDGE) && uncovered(x + ox, y + oy));
  };
  const found = [];
  for (const el of document.querySelectorAll('.react-flow__node-sluice')) {
    const id = el.getAttribute('data-id');
    if (${JSON.stringify(avoid)}.includes(id)) continue;
    const b = el.getBoundingClientRect();
    const x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
    if (document.elementFromPoint(x, y)?.closest('.react-flow__node')?.getAttribute('data-id') !== id) continue;
    if (!boxOk(b, 0, 0) || !boxOk(b, ${dx}, 0) || !boxOk(b, ${dx}, ${dy})) continue;
    found.push({ id, x, y, d: Math.hypot(x - cx, y - cy) });
  }
  found.sort((a, b) => a.d - b.d);
  return found[0] ?? null;
})()`;
}

/** An empty spot of the canvas (the pane itself under the pointer) nearest its centre, from which a (dx, dy) pan stays in view. */
export function pickEmptySpot(dx: number, dy: number): string {
  return `(() => {${CLEAR}
  const cx = (flow.left + flow.right) / 2, cy = (flow.top + flow.bottom) / 2;
  let best = null;
  for (let x = flow.left + EDGE; x < flow.right - EDGE; x += 10)
    for (let y = flow.top + EDGE; y < flow.bottom - EDGE; y += 10) {
      if (!document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) continue;
      if (!inside(x + ${dx}, y + ${dy}, EDGE) || !uncovered(x + ${dx}, y + ${dy})) continue;
      const d = Math.hypot(x - cx, y - cy);
      if (!best || d < best.d) best = { x, y, d };
    }
  return best;
})()`;
}
