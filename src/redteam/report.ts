import { escapeHtml, htmlPage, htmlTable } from '../report/html-page.js';
import { svgBarChart } from '../report/svg-chart.js';
import { wilsonInterval } from '../stats/intervals.js';
import type { AttemptRecord } from './run.js';
import type { ProbeFamily } from './probe.js';

/** Counts and the success rate of one family or probe. */
export interface RateRow {
  readonly id: string;
  /** Answered attempts (errors excluded). */
  readonly attempts: number;
  readonly successes: number;
  /** successes / attempts; null with no answered attempt. */
  readonly rate: number | null;
  /** Wilson 95% interval of the rate; null with no answered attempt. */
  readonly ci: readonly [number, number] | null;
  readonly refusals: number;
  readonly errors: number;
  /** With --guard: successful attempts whose prompt torchward guard flags. */
  readonly blocked?: number;
}

/** A probe's row also names its family. */
export interface ProbeRow extends RateRow {
  readonly family: string;
}

/** A successful attempt, for the transcripts. */
export interface Transcript {
  readonly id: string;
  readonly probe: string;
  readonly chain: readonly string[];
  readonly system: string;
  readonly user: string;
  readonly reply: string;
  readonly blocked?: boolean;
}

/** The report of `torchward redteam` (the JSON output; text and HTML render it). */
export interface RedteamReport {
  readonly tool: 'torchward';
  readonly command: 'redteam';
  /** The target URL without credentials, or the command. */
  readonly target: string;
  readonly api: 'chat' | 'completions';
  readonly model: string | null;
  readonly seed: string;
  readonly families: readonly RateRow[];
  readonly probes: readonly ProbeRow[];
  /** Planned attempts, answered ones, requests sent (retries included) and resumed ones. */
  readonly planned: number;
  readonly answered: number;
  readonly requests: number;
  readonly resumed: number;
  /** False when some planned attempt has no answer (errors, budget, an early stop). */
  readonly complete: boolean;
  readonly stopped: { readonly code: string; readonly message: string } | null;
  readonly errors: readonly {
    readonly id: string;
    readonly code: string;
    readonly message: string;
  }[];
  readonly guard: {
    readonly mode: string;
    readonly flagged: number;
    readonly successes: number;
    readonly blocked: number;
  } | null;
  readonly successes: readonly Transcript[];
}

const round = (x: number): number => Number(x.toFixed(4));

function rowOf(id: string, records: readonly AttemptRecord[], guarded: boolean): RateRow {
  const ok = records.filter((r) => r.status === 'ok');
  const successes = ok.filter((r) => r.success).length;
  const w = wilsonInterval(successes, ok.length);
  return {
    id,
    attempts: ok.length,
    successes,
    rate: ok.length === 0 ? null : round(w.value),
    ci: ok.length === 0 ? null : [round(w.low), round(w.high)],
    refusals: ok.filter((r) => r.refused && !r.success).length,
    errors: records.length - ok.length,
    ...(guarded
      ? { blocked: ok.filter((r) => r.success && r.guard?.flagged === true).length }
      : {}),
  };
}

// Transcripts in a report are cut: a 1 MiB reply would make the page unreadable.
const MAX_TRANSCRIPT_CHARS = 4000;
const MAX_TRANSCRIPTS = 200;
const cut = (s: string): string =>
  s.length > MAX_TRANSCRIPT_CHARS ? `${s.slice(0, MAX_TRANSCRIPT_CHARS)}… [cut]` : s;

/** Builds the report: one row per family and per probe, in plan order. */
export function buildReport(input: {
  readonly target: string;
  readonly api: 'chat' | 'completions';
  readonly model: string | undefined;
  readonly seed: string;
  readonly families: readonly ProbeFamily[];
  readonly records: readonly AttemptRecord[];
  readonly planned: number;
  readonly requests: number;
  readonly resumed: number;
  readonly stopped: { readonly code: string; readonly message: string } | undefined;
  readonly guardMode: string | undefined;
}): RedteamReport {
  const guarded = input.guardMode !== undefined;
  const { records } = input;
  const answered = records.filter((r) => r.status === 'ok');
  const successes = answered.filter((r) => r.success);
  return {
    tool: 'torchward',
    command: 'redteam',
    target: input.target,
    api: input.api,
    model: input.model ?? null,
    seed: input.seed,
    families: input.families.map((f) =>
      rowOf(
        f.id,
        records.filter((r) => r.family === f.id),
        guarded,
      ),
    ),
    probes: input.families.flatMap((f) =>
      f.probes.map((p) => ({
        ...rowOf(
          p,
          records.filter((r) => r.probe === p),
          guarded,
        ),
        family: f.id,
      })),
    ),
    planned: input.planned,
    answered: answered.length,
    requests: input.requests,
    resumed: input.resumed,
    complete: answered.length === input.planned,
    stopped: input.stopped ?? null,
    errors: records
      .filter((r) => r.status === 'error')
      .slice(0, 50)
      .map((r) => ({ id: r.id, code: r.error?.code ?? 'error', message: r.error?.message ?? '' })),
    guard: guarded
      ? {
          mode: input.guardMode,
          flagged: answered.filter((r) => r.guard?.flagged === true).length,
          successes: successes.length,
          blocked: successes.filter((r) => r.guard?.flagged === true).length,
        }
      : null,
    successes: successes.slice(0, MAX_TRANSCRIPTS).map((r) => ({
      id: r.id,
      probe: r.probe,
      chain: r.chain,
      system: cut(r.system),
      user: cut(r.user),
      reply: cut(r.reply ?? ''),
      ...(guarded ? { blocked: r.guard?.flagged === true } : {}),
    })),
  };
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const ciText = (ci: readonly [number, number] | null): string =>
  ci === null ? '-' : `[${pct(ci[0])}, ${pct(ci[1])}]`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function rateCells(r: RateRow, guarded: boolean): string[] {
  return [
    r.id,
    String(r.attempts),
    String(r.successes),
    pct(r.rate),
    ciText(r.ci),
    String(r.refusals),
    String(r.errors),
    ...(guarded ? [String(r.blocked ?? 0)] : []),
  ];
}

/** The text summary: families, then the probes with a success, then the run's state. */
export function renderText(report: RedteamReport): string {
  const guarded = report.guard !== null;
  const header = [
    'family',
    'attempts',
    'successes',
    'rate',
    'Wilson 95%',
    'refusals',
    'errors',
    ...(guarded ? ['blocked'] : []),
  ];
  const lines = [
    `torchward redteam: ${report.target} (${report.api}${report.model === null ? '' : `, model ${report.model}`}, seed ${report.seed})`,
    '',
    table(
      header,
      report.families.map((f) => rateCells(f, guarded)),
    ),
  ];
  const hit = report.probes.filter((p) => p.successes > 0);
  if (hit.length > 0) {
    lines.push(
      '',
      'Probes with successful attacks:',
      table(
        ['probe', ...header.slice(1)],
        hit.map((p) => rateCells(p, guarded)),
      ),
    );
  }
  lines.push(
    '',
    `${report.answered} of ${report.planned} attempts answered, ${report.requests} requests sent${report.resumed > 0 ? `, ${report.resumed} resumed from the log` : ''}.`,
  );
  if (report.guard !== null) {
    lines.push(
      `torchward guard (${report.guard.mode}) flags ${report.guard.flagged} prompts and would have blocked ${report.guard.blocked} of ${report.guard.successes} successful attacks.`,
    );
  }
  if (report.stopped !== null)
    lines.push(`Stopped early: ${report.stopped.code}: ${report.stopped.message}`);
  const vulnerable = report.families.filter((f) => f.successes > 0).map((f) => f.id);
  lines.push(
    vulnerable.length > 0
      ? `Result: VULNERABLE (${vulnerable.join(', ')})`
      : report.complete
        ? 'Result: no attack succeeded'
        : 'Result: INCOMPLETE (no attack succeeded among the answered attempts; not a pass)',
    '',
  );
  return lines.join('\n');
}

/** The self-contained HTML page: the per-family chart, the tables and the successful transcripts. */
export function renderHtml(report: RedteamReport): string {
  const guarded = report.guard !== null;
  const chart = svgBarChart(
    'Attack success rate by family (Wilson 95%)',
    report.families.map((f) => ({
      label: f.id,
      value: f.rate ?? 0,
      low: f.ci?.[0] ?? 0,
      high: f.ci?.[1] ?? 0,
    })),
  );
  const header = ['', 'attempts', 'successes', 'rate', 'Wilson 95%', 'refusals', 'errors'];
  if (guarded) header.push('blocked by guard');
  const rows = (rs: readonly RateRow[]): string[][] =>
    rs.map((r) => rateCells(r, guarded).map((c) => escapeHtml(c)));
  const vulnerable = report.families.filter((f) => f.successes > 0).map((f) => f.id);
  const verdict =
    vulnerable.length > 0
      ? `<p class="verdict fail">Vulnerable: ${escapeHtml(vulnerable.join(', '))}</p>`
      : `<p class="verdict ${report.complete ? 'pass' : 'fail'}">${report.complete ? 'No attack succeeded' : 'Incomplete run: not a pass'}</p>`;
  const transcripts = report.successes
    .map(
      (
        t,
      ) => `<h3>${escapeHtml(t.id)}${t.chain.length > 0 ? ` <span class="note">(${escapeHtml(t.chain.join(' → '))})</span>` : ''}${t.blocked === true ? ' <span class="note">blocked by guard</span>' : ''}</h3>
<p class="note">system</p><pre>${escapeHtml(t.system)}</pre>
<p class="note">user</p><pre>${escapeHtml(t.user)}</pre>
<p class="note">reply</p><pre>${escapeHtml(t.reply)}</pre>`,
    )
    .join('\n');
  const body = `${verdict}
<p class="note">Target ${escapeHtml(report.target)} (${escapeHtml(report.api)}${report.model === null ? '' : `, model ${escapeHtml(report.model)}`}), seed ${escapeHtml(report.seed)}; ${report.answered} of ${report.planned} attempts answered, ${report.requests} requests.${report.guard === null ? '' : ` torchward guard (${escapeHtml(report.guard.mode)}) would have blocked ${report.guard.blocked} of ${report.guard.successes} successful attacks.`}</p>
${chart}
<h2>Families</h2>
${htmlTable(['family', ...header.slice(1)], rows(report.families))}
<h2>Probes</h2>
${htmlTable(['probe', ...header.slice(1)], rows(report.probes))}
<h2>Successful attempts</h2>
${transcripts === '' ? '<p>None.</p>' : transcripts}
<style>pre { white-space: pre-wrap; word-break: break-all; background: #f6f6f6; padding: 0.5em; border: 1px solid #ddd; }</style>`;
  return htmlPage('torchward redteam report', body);
}
