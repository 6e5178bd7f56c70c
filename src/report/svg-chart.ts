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
