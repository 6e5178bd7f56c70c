import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../core/finding.js';
import { LineIndex } from '../core/line-index.js';
import { DOCS_BASE_URL, type RuleDescriptor } from '../core/rule-descriptor.js';
import { memberOf, type ReportFile, type ReportInput } from './report-model.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning reads `security-severity` as a CVSS-like score: ≥9 critical, ≥7 high,
// ≥4 medium, >0 low.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/**
 * Renders a SARIF 2.1.0 log with one run. `rules` describes every rule that may appear; only
 * those with results (plus none else) are listed, in id order, so output is deterministic.
 */
export function renderSarif(report: ReportInput, rules: readonly RuleDescriptor[]): string {
  const used = new Set(report.files.flatMap((f) => f.findings.map((x) => x.ruleId)));
  const driverRules = rules
    .filter((r) => used.has(r.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Rules not in the descriptor list (should not happen) still get an entry, so indexes resolve.
  for (const id of [...used].sort()) {
    if (!driverRules.some((r) => r.id === id)) {
      driverRules.push({
        id,
        title: id,
        severity: 'medium',
        confidence: 'medium',
        policy: '',
        docs: '',
      });
    }
  }
  const ruleIndex = new Map(driverRules.map((r, i) => [r.id, i]));
  const results = report.files.flatMap((file) => {
    const index = file.text === undefined ? undefined : new LineIndex(file.text);
    return file.findings.map((f) => sarifResult(file, f, index, ruleIndex.get(f.ruleId) ?? 0));
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'torchward',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: DOCS_BASE_URL,
            rules: driverRules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) =>
                (c ?? '').toUpperCase(),
              ),
              shortDescription: { text: r.title },
              fullDescription: {
                text: r.policy === '' ? r.title : `${r.title} (enforces: ${r.policy})`,
              },
              ...(r.docs === '' ? {} : { helpUri: `${DOCS_BASE_URL}${r.docs}` }),
              help: { text: r.docs === '' ? r.title : `See ${r.docs}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                'security-severity': SECURITY_SEVERITY[r.severity],
                precision:
                  r.confidence === 'high' ? 'high' : r.confidence === 'medium' ? 'medium' : 'low',
                tags: ['security', r.id.split('/')[0] ?? 'torchward'],
              },
            })),
          },
        },
        artifacts: report.files.map((file) => ({
          location: { uri: encodeUri(file.path) },
          length: file.size,
          ...(file.verdict === null
            ? {}
            : { properties: { verdict: file.verdict, format: file.format } }),
        })),
        results,
        columnKind: 'utf16CodeUnits',
        ...(report.torch === undefined ? {} : { properties: { torch: report.torch } }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifResult(
  file: ReportFile,
  f: Finding,
  index: LineIndex | undefined,
  ruleIndexValue: number,
): object {
  const member = memberOf(file.path, f.primary.uri);
  let region: Record<string, number>;
  if (f.primary.unit === 'char' && index !== undefined) {
    const start = index.position(f.primary.span.start);
    const end = index.position(Math.max(f.primary.span.end, f.primary.span.start));
    region = {
      startLine: start.line,
      startColumn: start.column,
      endLine: end.line,
      endColumn: end.column,
      charOffset: f.primary.span.start,
      charLength: Math.max(0, f.primary.span.end - f.primary.span.start),
    };
  } else {
    region = {
      byteOffset: f.primary.span.start,
      byteLength: Math.max(0, f.primary.span.end - f.primary.span.start),
    };
  }
  const logical =
    member === '' && f.primary.path.length === 0
      ? []
      : [
          {
            fullyQualifiedName: member !== '' ? member : f.primary.path.join('.'),
            kind: member !== '' ? 'member' : 'element',
          },
        ];
  // Fingerprints survive reformatting: rule, file, member and logical path, not offsets, for text.
  const stable =
    f.primary.unit === 'char' ? f.primary.path.join('/') : String(f.primary.span.start);
  const fingerprint = createHash('sha256')
    .update([f.ruleId, file.path, member, stable, f.messageId].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
  return {
    ruleId: f.ruleId,
    ruleIndex: ruleIndexValue,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: encodeUri(file.path) }, region },
        ...(logical.length > 0 ? { logicalLocations: logical } : {}),
      },
    ],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i + 1,
            physicalLocation: {
              artifactLocation: { uri: encodeUri(file.path) },
              region:
                r.unit === 'byte'
                  ? { byteOffset: r.span.start, byteLength: Math.max(0, r.span.end - r.span.start) }
                  : {
                      charOffset: r.span.start,
                      charLength: Math.max(0, r.span.end - r.span.start),
                    },
            },
            ...(r.label === undefined ? {} : { message: { text: r.label } }),
          })),
        }
      : {}),
    partialFingerprints: { 'torchward/v1': fingerprint },
    properties: {
      confidence: f.confidence,
      'security-severity': SECURITY_SEVERITY[f.severity],
      ...(f.verdict === undefined ? {} : { verdict: f.verdict }),
    },
    ...(f.suppressed === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: f.suppressed === 'inline' ? 'inSource' : 'external',
              ...(f.suppressionReason === undefined ? {} : { justification: f.suppressionReason }),
            },
          ],
        }),
  };
}

/** Relative, '/'-separated paths as URI references: percent-encode what a URI cannot hold. */
function encodeUri(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%21/g, '!'))
    .join('/');
}
