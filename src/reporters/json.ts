import { LineIndex } from '../core/line-index.js';
import type { Finding } from '../core/finding.js';
import { memberOf, type ReportFile, type ReportInput } from './report-model.js';

/** JSON location of a finding: member and byte offset for binaries, line and column for text. */
export interface JsonLocation {
  member?: string;
  offset?: number;
  length?: number;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Logical path (YAML path in workflows, `cells/N/source/L` in notebooks). */
  path?: (string | number)[];
  /** Where a reader finds it when the line is not enough (`cell 2, line 3, column 5`). */
  label?: string;
}

/** Renders the versioned JSON report: one valid JSON document, deterministic bytes. */
export function renderJson(report: ReportInput, options: { includeTiming?: boolean } = {}): string {
  const out = {
    version: report.version,
    tool: report.tool,
    files: report.files.map((file) => {
      const index = file.text === undefined ? undefined : new LineIndex(file.text);
      return {
        path: file.path,
        format: file.format,
        verdict: file.verdict,
        size: file.size,
        findings: file.findings.map((f) => jsonFinding(file, f, index)),
        ...(file.members.length > 0 ? { members: file.members } : {}),
        ...(file.aliases === undefined || file.aliases.length === 0
          ? {}
          : { aliases: file.aliases }),
        ...(file.hub === undefined ? {} : { hub: file.hub }),
        ...(file.sha256 === undefined ? {} : { sha256: file.sha256 }),
        ...(file.provenance === undefined ? {} : { provenance: file.provenance }),
        ...(file.privacy === undefined ? {} : { privacy: file.privacy }),
      };
    }),
    ...(report.torch === undefined ? {} : { torch: report.torch }),
    ...(report.hub === undefined
      ? {}
      : {
          hub: {
            source: report.hub.source,
            repos: report.hub.repos,
            ...(report.hub.bytesReceived === undefined
              ? {}
              : { bytesReceived: report.hub.bytesReceived }),
          },
        }),
    summary: {
      ...report.summary,
      durationMs: options.includeTiming === false ? undefined : report.summary.durationMs,
    },
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function jsonFinding(file: ReportFile, f: Finding, index: LineIndex | undefined): object {
  const location: JsonLocation = {};
  const member = memberOf(file.path, f.primary.uri);
  if (member !== '') location.member = member;
  if (f.primary.unit === 'byte') {
    location.offset = f.primary.span.start;
    if (f.primary.span.end > f.primary.span.start)
      location.length = f.primary.span.end - f.primary.span.start;
  } else if (index !== undefined) {
    const start = index.position(f.primary.span.start);
    const end = index.position(f.primary.span.end);
    location.line = start.line;
    location.column = start.column;
    location.endLine = end.line;
    location.endColumn = end.column;
  } else if (f.primary.line !== undefined) {
    // Streamed text (privacy scans) keeps no text: the line was recorded with the finding.
    location.line = f.primary.line;
    if (f.primary.span.end > f.primary.span.start) {
      location.column = f.primary.span.start + 1;
      location.endColumn = f.primary.span.end + 1;
    }
  }
  if (f.primary.unit === 'char' && f.primary.path.length > 0) location.path = [...f.primary.path];
  if (f.primary.label !== undefined) location.label = f.primary.label;
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    ...(f.entity === undefined ? {} : { entity: f.entity }),
    ...(f.verdict === undefined ? {} : { verdict: f.verdict }),
    message: f.message,
    location,
    ...(f.related.length > 0
      ? { related: f.related.map((r) => ({ uri: r.uri, offset: r.span.start, label: r.label })) }
      : {}),
    ...(f.suppressed === undefined
      ? {}
      : { suppressed: f.suppressed, suppressionReason: f.suppressionReason }),
  };
}
