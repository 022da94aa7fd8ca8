/**
 * Small hand-written SVG line charts for the sweep: a figure of panels side by side, each with
 * one or more series (the median as a line, min-max as a bar per point). y starts at zero so
 * heights compare; x ticks are the measured x values.
 */

export interface ChartPoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log scale for x (key counts spanning decades). */
  xLog: boolean;
  series: ChartSeries[];
  /** A line under the figure (a point that was not measured, and why). */
  note?: string;
}

const PANEL_W = 440;
const PANEL_H = 300;
const MARGIN = { left: 64, right: 16, top: 34, bottom: 62 };
const TITLE_H = 34;
const NOTE_H = 22;

export function figureSize(panels: number, note = false): { width: number; height: number } {
  return { width: PANEL_W * panels, height: PANEL_H + TITLE_H + (note ? NOTE_H : 0) };
}

/** Panels side by side under a title; the panels' notes (the same for all, once) under them. */
export function figureSvg(title: string, panels: ChartPanel[]): string {
  const note = panels.find((p) => p.note)?.note;
  const { width, height } = figureSize(panels.length, note !== undefined);
  let body = panels.map((p, i) => `<g transform="translate(${i * PANEL_W},${TITLE_H})">${panelSvg(p)}</g>`).join('');
  if (note) body += `<text x="12" y="${height - 8}" fill="#a40000">${escapeXml(note)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>${body}</svg>`
  );
}

/** 1000 -> 1k, 2000000 -> 2M; other numbers as they are (rounded to 3 significant digits). */
export function shortNumber(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(Number(n.toPrecision(3)));
}

function panelSvg(p: ChartPanel): string {
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const all = p.series.flatMap((s) => s.points);
  const xs = [...new Set(all.map((pt) => pt.x))].sort((a, b) => a - b);
  const yMax = niceCeil(Math.max(...all.map((pt) => pt.hi ?? pt.y), 1e-9));
  const fx = p.xLog ? Math.log10 : (v: number) => v;
  const x0 = fx(xs[0] ?? 0);
  const x1 = fx(xs.at(-1) ?? 1);
  const sx = (v: number) => MARGIN.left + (x1 === x0 ? plotW / 2 : ((fx(v) - x0) / (x1 - x0)) * plotW);
  const sy = (v: number) => MARGIN.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [`<text x="${PANEL_W / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(p.title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${sy(v) + 4}" text-anchor="end">${shortNumber(v)}</text>`);
  }
  for (const x of xs) parts.push(`<text x="${sx(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${shortNumber(x)}</text>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(0)}" y2="${sy(0)}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${sy(0)}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 34}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`);
  parts.push(`<text transform="translate(14,${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((pt) => `${sx(pt.x)},${sy(pt.y)}`).join(' ')}"/>`,
    );
    for (const pt of pts) {
      if (pt.lo !== undefined && pt.hi !== undefined)
        parts.push(`<line x1="${sx(pt.x)}" x2="${sx(pt.x)}" y1="${sy(pt.lo)}" y2="${sy(pt.hi)}" stroke="${s.color}" stroke-width="1.5"/>`);
      parts.push(`<circle cx="${sx(pt.x)}" cy="${sy(pt.y)}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = MARGIN.top + plotH + 52;
    const lx = MARGIN.left + i * 150;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${s.color}"/><text x="${lx + 16}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  return parts.join('');
}

/** The smallest of 1, 2, 2.5, 5 x 10^k at or above v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
