import type { Finding, Severity, Verdict } from '../core/finding.js';
import { LineIndex } from '../core/line-index.js';
import { memberOf, type ReportFile, type ReportInput } from './report-model.js';

export interface TextOptions {
  /** ANSI colour (only on a TTY without NO_COLOR). */
  readonly color: boolean;
  /** Also list every scanned member of each container with its format and verdict. */
  readonly verbose?: boolean;
}

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
} as const;
type Colour = keyof typeof CODES;

const VERDICT_COLOUR: Record<Verdict, Colour> = {
  safe: 'green',
  invalid: 'yellow',
  suspicious: 'yellow',
  malicious: 'red',
};

/** Widest source excerpt shown, in characters. */
const EXCERPT_WIDTH = 120;

const SEVERITY_COLOUR: Record<Severity, Colour> = {
  critical: 'red',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'gray',
};

/** Renders the human report: one block per file with findings, a source excerpt for text files. */
export function renderText(report: ReportInput, options: TextOptions): string {
  const paint = (colour: Colour, text: string): string =>
    options.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
  const lines: string[] = [];
  for (const file of report.files) {
    const label =
      file.format === 'unscanned'
        ? 'unscanned'
        : (file.verdict ??
          (file.findings.some((f) => f.suppressed === undefined) ? 'findings' : 'ok'));
    const colour: Colour =
      file.format === 'unscanned'
        ? 'yellow'
        : file.verdict === null
          ? 'blue'
          : VERDICT_COLOUR[file.verdict];
    const pad = ' '.repeat(Math.max(1, 12 - label.length));
    lines.push(`${paint(colour, label)}${pad}${file.path} ${paint('gray', `(${file.format})`)}`);
    if (file.provenance !== undefined) {
      const p = file.provenance;
      const what =
        p.status === 'valid' ? `signed by ${p.signer ?? 'a trusted key'}` : `signature ${p.status}`;
      lines.push(
        `           ${paint(p.status === 'valid' ? 'green' : 'yellow', `${p.model}: ${what}`)}`,
      );
    }
    for (const alias of file.aliases ?? [])
      lines.push(`           ${paint('gray', `also reached as ${alias} (scanned once)`)}`);
    if (options.verbose === true) {
      for (const m of file.members) {
        lines.push(`           ${paint('gray', `${m.member} (${m.format}): ${m.verdict}`)}`);
      }
    }
    const index = file.text === undefined ? undefined : new LineIndex(file.text);
    for (const f of file.findings) lines.push(...renderFinding(file, f, index, paint));
    if (file.privacy !== undefined) {
      const p = file.privacy;
      lines.push(
        `           ${paint('gray', `privacy: ${p.hits} hit(s) in ${p.values} value(s)`)}`,
      );
      for (const c of p.columns) {
        const ex = c.examples > 0 ? `, ${c.examples} example(s)` : '';
        lines.push(
          `           ${paint('gray', `  ${c.column}: ${c.entity} × ${c.count}${ex} (e.g. ${c.sample})`)}`,
        );
      }
    }
  }
  lines.push('');
  lines.push(summaryLine(report, paint));
  if (report.torch !== undefined) lines.push(torchLine(report.torch));
  if (report.hub !== undefined) {
    for (const r of report.hub.repos) {
      const refs = r.refs === undefined || r.refs.length === 0 ? '' : ` (${r.refs.join(', ')})`;
      const asked = r.revision === r.commit ? '' : `${r.revision} = `;
      lines.push(`hugging face ${r.type} ${r.repo}: ${asked}commit ${r.commit}${refs}`);
    }
    if (report.hub.bytesReceived !== undefined)
      lines.push(`read ${report.hub.bytesReceived} byte(s) from ${report.hub.source}`);
  }
  const config = report.summary.config;
  if (config !== undefined) {
    lines.push(
      `config: ${config.path ?? 'none'} (excluded ${config.excluded} path(s), ignored ${config.ignored} finding(s))`,
    );
    for (const c of config.ignoredConfigs)
      lines.push(
        paint(
          'yellow',
          `notice: ${c} was not read: a config inside a scanned folder cannot configure its own scan (pass --config to use it)`,
        ),
      );
  }
  if (report.summary.skipped.length > 0) {
    lines.push(
      paint(
        'gray',
        `skipped ${report.summary.skipped.length} file(s) with no model or workflow content`,
      ),
    );
  }
  for (const e of report.summary.internalErrors) lines.push(paint('red', `internal error: ${e}`));
  return `${lines.join('\n')}\n`;
}

function renderFinding(
  file: ReportFile,
  f: Finding,
  index: LineIndex | undefined,
  paint: (c: Colour, t: string) => string,
): string[] {
  const member = memberOf(file.path, f.primary.uri);
  let where: string;
  if (f.primary.unit === 'char' && index !== undefined) {
    const { line, column } = index.position(f.primary.span.start);
    where = `${file.path}:${line}:${column}`;
    // Notebooks: the position inside the cell, as a reader counts it.
    if (f.primary.label !== undefined) where += ` (${f.primary.label})`;
  } else if (f.primary.line !== undefined) {
    // Streamed text (privacy scans): the line was recorded with the finding.
    where = `${file.path}:${f.primary.line}:${f.primary.span.start + 1}`;
    if (f.primary.label !== undefined) where += ` (${f.primary.label})`;
  } else if (f.ruleId.startsWith('privacy/') && f.primary.label !== undefined) {
    // A Parquet cell or a metadata value: record and column, or key, say where.
    where = `${file.path} (${f.primary.label})`;
  } else {
    where = `${member === '' ? '' : `${member} `}@${f.primary.span.start}`;
  }
  const sev = paint(SEVERITY_COLOUR[f.severity], f.severity.padEnd(8));
  const suppressed =
    f.suppressed === undefined
      ? ''
      : paint('gray', ` [suppressed: ${f.suppressionReason ?? f.suppressed}]`);
  const out = [
    `  ${sev} ${f.ruleId}  ${f.message}${suppressed}`,
    `           ${paint('gray', `at ${where}`)}`,
  ];
  if (f.primary.unit === 'char' && index !== undefined) {
    const start = index.position(f.primary.span.start);
    const end = index.position(f.primary.span.end);
    const line = index.lineText(start.line);
    // Long lines (minified JSON, one-line templates) are shown as a window around the span.
    const from = Math.max(0, start.column - 1 - 40);
    const shown = line.slice(from, from + EXCERPT_WIDTH);
    const text = `${from > 0 ? '…' : ''}${shown}${from + EXCERPT_WIDTH < line.length ? '…' : ''}`;
    const col = start.column - 1 - from + (from > 0 ? 1 : 0);
    const width =
      end.line === start.line
        ? Math.max(1, end.column - start.column)
        : Math.max(1, line.length - start.column + 1);
    const gutter = String(start.line).padStart(5);
    out.push(`  ${paint('gray', `${gutter} |`)} ${text}`);
    const carets = '^'.repeat(Math.max(1, Math.min(width, text.length - col)));
    out.push(
      `  ${paint('gray', `${' '.repeat(5)} |`)} ${' '.repeat(col)}${paint(SEVERITY_COLOUR[f.severity], carets)}`,
    );
  }
  return out;
}

const TORCH_STATUS: Record<string, string> = {
  unknown: 'not declared (torch.load defaults to weights_only=False before 2.6)',
  'may-be-older': 'may be older than 2.6',
  'at-least-2.6': 'at least 2.6',
  older: 'older than 2.6',
};

function torchLine(torch: NonNullable<ReportInput['torch']>): string {
  const where = torch.declarations.map((d) => `${d.spec} (${d.uri}:${d.line})`).join(', ');
  return `torch version: ${TORCH_STATUS[torch.status] ?? torch.status}${where === '' ? '' : `: ${where}`}`;
}

function summaryLine(report: ReportInput, paint: (c: Colour, t: string) => string): string {
  const s = report.summary;
  const unscanned = s.unscanned ?? 0;
  const parts = [`${s.files - unscanned} file(s) scanned`];
  if (unscanned > 0) parts.push(paint('yellow', `${unscanned} not scanned`));
  if (s.safe > 0) parts.push(paint('green', `${s.safe} safe`));
  if (s.malicious > 0) parts.push(paint('red', `${s.malicious} malicious`));
  if (s.suspicious > 0) parts.push(paint('yellow', `${s.suspicious} suspicious`));
  if (s.invalid > 0) parts.push(paint('yellow', `${s.invalid} invalid`));
  if (s.audited > 0) parts.push(`${s.audited} workflow, code or deployment file(s) audited`);
  const findings = Object.values(s.findings).reduce((a, b) => a + b, 0);
  if (findings > 0) parts.push(`${findings} finding(s)`);
  if (s.suppressed > 0) parts.push(`${s.suppressed} suppressed`);
  return parts.join(', ');
}
