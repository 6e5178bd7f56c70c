import { escapeHtml } from './html-page.js';

/** One named line of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly colour: string;
  /** Draw markers at the points (and no line when `line` is false). */
  readonly markers?: boolean;
  readonly line?: boolean;
  readonly dashed?: boolean;
}

/** Axes of a chart. */
export interface ChartAxes {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
  /** Label formatter for tick values. */
  readonly xTicks: readonly { readonly value: number; readonly label: string }[];
  readonly yTicks: readonly { readonly value: number; readonly label: string }[];
}

/** An inline SVG line/scatter chart (no script, no external reference). */
export function svgChart(
  axes: ChartAxes,
  series: readonly ChartSeries[],
  width = 520,
  height = 360,
): string {
  const left = 60;
  const right = 20;
  const top = 34;
  const bottom = 50;
  const w = width - left - right;
  const h = height - top - bottom;
  const xSpan = axes.xMax - axes.xMin || 1;
  const ySpan = axes.yMax - axes.yMin || 1;
  const sx = (x: number): number => left + ((x - axes.xMin) / xSpan) * w;
  const sy = (y: number): number => top + h - ((y - axes.yMin) / ySpan) * h;
  const f = (n: number): string => n.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(axes.title)}">`,
  );
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(axes.title)}</text>`,
  );
  parts.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  for (const t of axes.xTicks) {
    const x = sx(t.value);
    parts.push(
      `<line x1="${f(x)}" y1="${top + h}" x2="${f(x)}" y2="${top + h + 5}" stroke="#888"/>`,
    );
    parts.push(`<line x1="${f(x)}" y1="${top}" x2="${f(x)}" y2="${top + h}" stroke="#eee"/>`);
    parts.push(
      `<text x="${f(x)}" y="${top + h + 18}" text-anchor="middle" font-size="11">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const t of axes.yTicks) {
    const y = sy(t.value);
    parts.push(`<line x1="${left - 5}" y1="${f(y)}" x2="${left}" y2="${f(y)}" stroke="#888"/>`);
    parts.push(`<line x1="${left}" y1="${f(y)}" x2="${left + w}" y2="${f(y)}" stroke="#eee"/>`);
    parts.push(
      `<text x="${left - 8}" y="${f(y + 4)}" text-anchor="end" font-size="11">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + w / 2}" y="${height - 10}" text-anchor="middle" font-size="12">${escapeHtml(axes.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${top + h / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${top + h / 2})">${escapeHtml(axes.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (s.line !== false && pts.length > 1) {
      const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="5,4"' : ''}/>`,
      );
    }
    if (s.markers === true) {
      for (const p of pts)
        parts.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="4" fill="${s.colour}"/>`);
    }
    const ly = top + 14 + i * 16;
    parts.push(`<rect x="${left + 10}" y="${ly - 9}" width="12" height="4" fill="${s.colour}"/>`);
    parts.push(`<text x="${left + 28}" y="${ly - 3}" font-size="11">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One bar with its interval (values in [0, 1]). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** A horizontal bar chart of proportions with interval whiskers (no script, no reference). */
export function svgBarChart(title: string, bars: readonly Bar[], width = 640): string {
  const left = 150;
  const right = 30;
  const top = 34;
  const row = 24;
  const height = top + bars.length * row + 40;
  const w = width - left - right;
  const sx = (v: number): number => left + Math.max(0, Math.min(1, v)) * w;
  const f = (n: number): string => n.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(title)}</text>`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = sx(t);
    parts.push(
      `<line x1="${f(x)}" y1="${top}" x2="${f(x)}" y2="${top + bars.length * row}" stroke="#eee"/>`,
      `<text x="${f(x)}" y="${top + bars.length * row + 16}" text-anchor="middle" font-size="11">${t * 100}%</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = top + i * row;
    parts.push(
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end" font-size="12">${escapeHtml(b.label)}</text>`,
      `<rect x="${left}" y="${y + 5}" width="${f(sx(b.value) - left)}" height="${row - 10}" fill="${b.value > 0 ? '#c55' : '#5a5'}"/>`,
      `<line x1="${f(sx(b.low))}" y1="${y + row / 2}" x2="${f(sx(b.high))}" y2="${y + row / 2}" stroke="#222" stroke-width="1.5"/>`,
      `<line x1="${f(sx(b.low))}" y1="${y + 7}" x2="${f(sx(b.low))}" y2="${y + row - 7}" stroke="#222"/>`,
      `<line x1="${f(sx(b.high))}" y1="${y + 7}" x2="${f(sx(b.high))}" y2="${y + row - 7}" stroke="#222"/>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
