import { escapeHtml, htmlPage, htmlTable } from '../report/html-page.js';
import type { ChartSeries } from '../report/svg-chart.js';
import { svgChart } from '../report/svg-chart.js';
import type { Estimate } from '../stats/intervals.js';
import type { ExposureReport } from './exposure.js';
import type { MembershipReport } from './membership.js';
import { itemAt } from '../core/item-at.js';

/** Thresholds of the publish verdict (project choices, not from the literature). */
export interface VerdictThresholds {
  /** Fail when a canary's exposure reaches this many bits (default: log2|R| − 2). */
  readonly maxExposure?: number;
  /** Fail when any attack's ROC AUC reaches this. */
  readonly maxAuc: number;
  /** Fail when TPR at 0.1% FPR reaches this multiple of 0.1%. */
  readonly maxTprRatio: number;
}

/** What `torchward memorization` reports. */
export interface MemorizationReport {
  readonly tool: 'torchward';
  readonly command: 'memorization';
  readonly target: string;
  readonly requests: number;
  readonly exposure?: ExposureReport;
  readonly membership?: MembershipReport;
  readonly verdict: { readonly pass: boolean; readonly reasons: readonly string[] };
}

/** Decides whether the model looks safe to publish, with the reasons either way. */
export function decideVerdict(
  exposure: ExposureReport | undefined,
  membership: MembershipReport | undefined,
  thresholds: VerdictThresholds,
): { pass: boolean; reasons: string[] } {
  const reasons: string[] = [];
  let pass = true;
  if (exposure !== undefined) {
    const limit = thresholds.maxExposure ?? exposure.log2SpaceSize - 2;
    const worst = exposure.canaries.reduce((a, b) => (b.exposure > a.exposure ? b : a));
    if (worst.exposure >= limit) {
      pass = false;
      reasons.push(
        `canary ${worst.id} (inserted ${worst.repeats ?? '?'} times) has exposure ${worst.exposure.toFixed(1)} bits >= ${limit.toFixed(1)} of ${exposure.log2SpaceSize.toFixed(1)}: the secret is extractable by search`,
      );
    } else {
      reasons.push(
        `highest canary exposure ${worst.exposure.toFixed(1)} bits (canary ${worst.id}) < ${limit.toFixed(1)}`,
      );
    }
  }
  if (membership !== undefined) {
    const ratioLimit = thresholds.maxTprRatio * 0.001;
    for (const a of membership.attacks) {
      if (a.auc.value >= thresholds.maxAuc) {
        pass = false;
        reasons.push(
          `${a.attack} attack AUC ${a.auc.value.toFixed(3)} >= ${thresholds.maxAuc}: members are distinguishable`,
        );
      }
      if (a.tprAt01.value >= ratioLimit) {
        pass = false;
        reasons.push(
          `${a.attack} attack TPR ${pct(a.tprAt01.value)} at 0.1% FPR >= ${thresholds.maxTprRatio} x FPR`,
        );
      }
    }
    const best = membership.attacks.reduce((a, b) => (b.auc.value > a.auc.value ? b : a));
    if (pass || reasons.length === 0) {
      reasons.push(
        `best membership attack (${best.attack}) AUC ${best.auc.value.toFixed(3)} < ${thresholds.maxAuc}`,
      );
    }
    if (membership.nonMembers < 1000) {
      reasons.push(
        `only ${membership.nonMembers} non-members: TPR at 0.1% FPR is measured as TPR above every non-member`,
      );
    }
  }
  return { pass, reasons };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function est(e: Estimate, digits: number, asPct = false): string {
  const f = (x: number): string => (asPct ? pct(x) : x.toFixed(digits));
  return `${f(e.value)} [${f(e.low)}, ${f(e.high)}]`;
}

/** The plain-text report. */
export function renderText(report: MemorizationReport): string {
  const lines: string[] = [`torchward memorization: ${report.target}`];
  const e = report.exposure;
  if (e !== undefined) {
    lines.push('');
    lines.push(
      `Canary exposure (format ${JSON.stringify(e.format)}, space 2^${e.log2SpaceSize.toFixed(1)})`,
    );
    lines.push(
      e.method === 'exact'
        ? `  rank over the whole space (${e.alternatives} secrets enumerated)`
        : `  rank among ${e.alternatives} sampled alternatives; their log-perplexity ${e.alternativeMean.toFixed(2)} ± ${e.alternativeStd.toFixed(2)} bits`,
    );
    lines.push('  repeats  canaries  exposure mean   min     max   (bits)');
    for (const g of e.groups) {
      lines.push(
        `  ${String(g.repeats ?? '?').padStart(7)}  ${String(g.canaries).padStart(8)}  ${g.mean.toFixed(2).padStart(13)} ${g.min.toFixed(2).padStart(7)} ${g.max.toFixed(2).padStart(7)}`,
      );
    }
    lines.push('  canary  repeats  log-perplexity  rank  exposure  method');
    for (const c of e.canaries) {
      lines.push(
        `  ${c.id.padEnd(6)}  ${String(c.repeats ?? '?').padStart(7)}  ${c.logPerplexity.toFixed(2).padStart(14)}  ${String(c.rank).padStart(4)}  ${c.exposure.toFixed(2).padStart(8)}  ${c.method}${c.straddlesBoundary ? ' (a token spans the prefix/secret boundary)' : ''}`,
      );
    }
    if (e.assumption !== undefined) lines.push(`  extrapolated values assume ${e.assumption}`);
  }
  const m = report.membership;
  if (m !== undefined) {
    lines.push('');
    lines.push(
      `Membership inference (${m.members} members, ${m.nonMembers} non-members; 95% bootstrap intervals)`,
    );
    lines.push(
      `  generalisation gap (member − non-member NLL): ${m.generalisationGap.toFixed(4)} nats/token`,
    );
    for (const a of m.attacks) {
      lines.push(
        `  ${a.attack.padEnd(9)} AUC ${est(a.auc, 3)}  TPR@1%FPR ${est(a.tprAt1, 3, true)}  TPR@0.1%FPR ${est(a.tprAt01, 3, true)}`,
      );
    }
  }
  lines.push('');
  lines.push(
    `Verdict: ${report.verdict.pass ? 'PASS (looks safe to publish under these thresholds)' : 'FAIL (do not publish)'}`,
  );
  for (const r of report.verdict.reasons) lines.push(`  - ${r}`);
  lines.push(`requests sent: ${report.requests}`);
  return `${lines.join('\n')}\n`;
}

/** The self-contained HTML page with the exposure-by-repeats plot and the ROC curves. */
export function renderHtml(report: MemorizationReport): string {
  const parts: string[] = [];
  parts.push(
    `<p class="verdict ${report.verdict.pass ? 'pass' : 'fail'}">Verdict: ${report.verdict.pass ? 'PASS' : 'FAIL'}</p>`,
  );
  parts.push(`<ul>${report.verdict.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`);
  parts.push(
    `<p class="note">Target: ${escapeHtml(report.target)}; requests sent: ${report.requests}</p>`,
  );
  const e = report.exposure;
  if (e !== undefined) {
    parts.push('<h2>Canary exposure by insertion count</h2>');
    const groups = e.groups.filter((g) => g.repeats !== null);
    if (groups.length === 0) {
      parts.push(
        '<p class="note">No canary has a repeat count: give the canary file written by <code>torchward canary insert</code> to plot exposure against insertions.</p>',
      );
    }
    const xs = groups.map((g) => Math.log10((g.repeats ?? 0) + 1));
    const xMax = Math.max(1, ...xs);
    const chart = svgChart(
      {
        title: 'Exposure by repeats',
        xLabel: 'insertions (log scale, 1 + repeats)',
        yLabel: 'exposure (bits)',
        xMin: 0,
        xMax,
        yMin: 0,
        yMax: Math.ceil(e.log2SpaceSize),
        xTicks: groups.map((g, i) => ({ value: itemAt(xs, i), label: String(g.repeats) })),
        yTicks: ticks(0, Math.ceil(e.log2SpaceSize), 5),
      },
      [
        {
          name: 'mean exposure',
          colour: '#c0392b',
          markers: true,
          points: groups.map((g, i) => ({ x: itemAt(xs, i), y: g.mean })),
        },
        {
          name: 'each canary',
          colour: '#2c7fb8',
          markers: true,
          line: false,
          points: e.canaries
            .filter((c) => c.repeats !== null)
            .map((c) => ({ x: Math.log10((c.repeats ?? 0) + 1), y: c.exposure })),
        },
        {
          name: `log2 |R| = ${e.log2SpaceSize.toFixed(1)}`,
          colour: '#777',
          dashed: true,
          points: [
            { x: 0, y: e.log2SpaceSize },
            { x: xMax, y: e.log2SpaceSize },
          ],
        },
      ],
    );
    parts.push(chart);
    parts.push(
      htmlTable(
        ['canary', 'repeats', 'log-perplexity (bits)', 'rank', 'exposure (bits)', 'method'],
        e.canaries.map((c) => [
          escapeHtml(c.id),
          String(c.repeats ?? '?'),
          c.logPerplexity.toFixed(2),
          String(c.rank),
          c.exposure.toFixed(2),
          escapeHtml(c.method),
        ]),
      ),
    );
    if (e.assumption !== undefined)
      parts.push(`<p class="note">Extrapolated values assume ${escapeHtml(e.assumption)}.</p>`);
  }
  const m = report.membership;
  if (m !== undefined) {
    parts.push('<h2>Membership inference</h2>');
    const colours = ['#c0392b', '#2c7fb8', '#27ae60', '#8e44ad'];
    parts.push(
      svgChart(
        {
          title: 'ROC curve',
          xLabel: 'false-positive rate',
          yLabel: 'true-positive rate',
          xMin: 0,
          xMax: 1,
          yMin: 0,
          yMax: 1,
          xTicks: ticks(0, 1, 5),
          yTicks: ticks(0, 1, 5),
        },
        [
          ...m.attacks.map((a, i) => ({
            name: `${a.attack} (AUC ${a.auc.value.toFixed(3)})`,
            colour: itemAt(colours, i % colours.length),
            points: a.roc.map((p) => ({ x: p.fpr, y: p.tpr })),
          })),
          {
            name: 'chance',
            colour: '#999',
            dashed: true,
            points: [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
          },
        ] satisfies ChartSeries[],
      ),
    );
    parts.push(
      htmlTable(
        ['attack', 'AUC', 'TPR @ 1% FPR', 'TPR @ 0.1% FPR'],
        m.attacks.map((a) => [
          escapeHtml(a.attack),
          est(a.auc, 3),
          est(a.tprAt1, 3, true),
          est(a.tprAt01, 3, true),
        ]),
      ),
    );
    parts.push(
      `<p class="note">${m.members} members, ${m.nonMembers} non-members; 95% bootstrap intervals. Generalisation gap ${m.generalisationGap.toFixed(4)} nats/token.</p>`,
    );
  }
  return htmlPage('torchward memorization report', parts.join('\n'));
}

function ticks(min: number, max: number, count: number): { value: number; label: string }[] {
  const out: { value: number; label: string }[] = [];
  for (let i = 0; i <= count; i++) {
    const v = min + ((max - min) * i) / count;
    out.push({ value: v, label: Number.isInteger(v) ? String(v) : v.toFixed(1) });
  }
  return out;
}
