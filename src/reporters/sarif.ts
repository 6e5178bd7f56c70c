import { createHash } from 'node:crypto';
import type { Finding, Location } from '../core/finding.js';
import { LineIndex } from '../core/line-index.js';
import type { RuleDescriptor } from '../core/rule-descriptor.js';
import { SARIF_LEVEL, SECURITY_SEVERITY } from '../core/sarif-severity.js';
import { memberOf, type ReportFile, type ReportInput } from './report-model.js';

/** Options of {@link renderSarif}. */
export interface SarifOptions {
  /**
   * Absolute directory the report's relative paths are relative to ('/'-separated). Absolute paths
   * inside it are written relative to it; without it, or outside it, an absolute path is written
   * relative to the file-system root under the `FSROOT` base. Never written to the log itself, so
   * the same scan gives the same bytes on every machine.
   */
  readonly srcRoot?: string;
  /** The tool's home page (`tool.driver.informationUri`); omitted when not given. */
  readonly informationUri?: string;
}

/** The base id every repository-relative artifact uri is resolved against. */
export const SRCROOT = '%SRCROOT%';
const FSROOT = 'FSROOT';

/**
 * Renders a SARIF 2.1.0 log with one run that GitHub code scanning accepts as is. `rules`
 * describes every rule that may appear; only those with results are listed, in id order, so
 * output is deterministic. Every result has a physical location in a repository-relative file
 * with a `region.startLine` (line 1 for binary files, whose byte offset goes in
 * `region.byteOffset`, or in the location's properties when it lies inside an archive member);
 * archive members are logical locations.
 */
export function renderSarif(
  report: ReportInput,
  rules: readonly RuleDescriptor[],
  options: SarifOptions = {},
): string {
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
      driverRules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
  }
  const ruleIndex = new Map(driverRules.map((r, i) => [r.id, i]));
  const results = report.files.flatMap((file) => {
    const index = file.text === undefined ? undefined : new LineIndex(file.text);
    const artifact = artifactLocation(file.path, options.srcRoot);
    return file.findings.map((f) =>
      sarifResult(file, artifact, f, index, ruleIndex.get(f.ruleId) ?? 0),
    );
  });
  const absolute = report.files.some(
    (f) => artifactLocation(f.path, options.srcRoot).uriBaseId === FSROOT,
  );
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
            ...(options.informationUri === undefined
              ? {}
              : { informationUri: options.informationUri }),
            rules: driverRules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) =>
                (c ?? '').toUpperCase(),
              ),
              shortDescription: { text: r.title },
              fullDescription: {
                text: r.policy === '' ? r.title : `${r.title} (enforces: ${r.policy})`,
              },
              ...(r.helpUri === undefined ? {} : { helpUri: r.helpUri }),
              help: {
                text: r.docs === '' ? r.title : `${r.title}. Documentation: ${r.docs}`,
                markdown:
                  r.helpMarkdown ??
                  `**${r.title}**${r.docs === '' ? '' : `\n\nDocumentation: \`${r.docs}\``}`,
              },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: {
                'security-severity': SECURITY_SEVERITY[r.severity],
                precision:
                  r.confidence === 'high' ? 'high' : r.confidence === 'medium' ? 'medium' : 'low',
                tags: ['security', r.id.split('/')[0] ?? 'torchward'],
              },
            })),
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: {
            description: {
              text: 'The directory torchward was run in: relative paths given to it are relative to this.',
            },
          },
          ...(absolute ? { [FSROOT]: { uri: 'file:///' } } : {}),
        },
        artifacts: report.files.map((file) => ({
          location: artifactLocation(file.path, options.srcRoot),
          length: file.size,
          ...(file.verdict === null
            ? file.format === 'unscanned'
              ? { properties: { format: file.format } }
              : {}
            : { properties: { verdict: file.verdict, format: file.format } }),
        })),
        results,
        columnKind: 'utf16CodeUnits',
        // The declared torch version (main) and which configuration shaped this run and what
        // it removed (so a reader can tell a clean result from one with parts switched off).
        properties: {
          ...(report.torch === undefined ? {} : { torch: report.torch }),
          ...(report.summary.config === undefined
            ? {}
            : {
                config: report.summary.config.path,
                ignoredConfigs: report.summary.config.ignoredConfigs,
                excluded: report.summary.config.excluded,
                ignored: report.summary.config.ignored,
                unscanned: report.summary.unscanned ?? 0,
              }),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId: string;
}

function sarifResult(
  file: ReportFile,
  artifact: ArtifactLocation,
  f: Finding,
  index: LineIndex | undefined,
  ruleIndexValue: number,
): object {
  const member = memberOf(file.path, f.primary.uri);
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
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [sarifLocation(file, artifact, f.primary, index)],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i + 1,
            ...sarifLocation(file, artifact, r, index),
            ...(r.label === undefined ? {} : { message: { text: r.label } }),
          })),
        }
      : {}),
    partialFingerprints: { 'torchward/v1': fingerprint },
    properties: {
      ...f.properties,
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

/**
 * One SARIF location: always a physical location in the top-level file with a `startLine`.
 * Text spans become line/column regions. A byte span in the file itself is `byteOffset` and
 * `byteLength` on line 1. A span inside an archive member is not an offset in the file, so the
 * region is line 1 alone, the member is a logical location, and the member's byte offset goes in
 * the location's properties.
 */
function sarifLocation(
  file: ReportFile,
  artifact: ArtifactLocation,
  at: Location,
  index: LineIndex | undefined,
): object {
  const member = memberOf(file.path, at.uri);
  const length = Math.max(0, at.span.end - at.span.start);
  let region: Record<string, number>;
  let properties: Record<string, string | number> | undefined;
  if (at.unit === 'char' && index !== undefined && member === '') {
    const start = index.position(at.span.start);
    const end = index.position(Math.max(at.span.end, at.span.start));
    region = {
      startLine: start.line,
      startColumn: start.column,
      endLine: end.line,
      endColumn: end.column,
      charOffset: at.span.start,
      charLength: length,
    };
  } else if (at.unit === 'char' && at.line !== undefined && member === '') {
    // Streamed text (privacy scans): the line was recorded with the finding.
    region = { startLine: at.line, startColumn: at.span.start + 1, endColumn: at.span.end + 1 };
  } else if (member === '' && at.unit === 'byte') {
    region = { startLine: 1, byteOffset: at.span.start, byteLength: length };
  } else {
    region = { startLine: 1 };
    properties =
      at.unit === 'byte'
        ? { member, byteOffset: at.span.start, byteLength: length }
        : { member, charOffset: at.span.start, charLength: length };
  }
  const logical =
    member === '' && at.path.length === 0
      ? []
      : [
          {
            fullyQualifiedName: member !== '' ? member : at.path.join('.'),
            kind: member !== '' ? 'member' : 'element',
          },
        ];
  return {
    physicalLocation: { artifactLocation: artifact, region },
    ...(logical.length > 0 ? { logicalLocations: logical } : {}),
    ...(properties === undefined ? {} : { properties }),
  };
}

/**
 * A report path as a SARIF artifact location: relative paths (as the user named them) against
 * `%SRCROOT%`, absolute paths made relative to `srcRoot` when inside it, else to the file-system
 * root.
 */
function artifactLocation(path: string, srcRoot: string | undefined): ArtifactLocation {
  let p = path;
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) {
    const root = srcRoot?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (root !== undefined && root !== '' && p.startsWith(`${root}/`)) {
      p = p.slice(root.length + 1);
    } else {
      return { uri: encodeUri(p.replace(/^\/+/, '')), uriBaseId: FSROOT };
    }
  }
  while (p.startsWith('./')) p = p.slice(2);
  return { uri: encodeUri(p), uriBaseId: SRCROOT };
}

/** Relative, '/'-separated paths as URI references: percent-encode what a URI cannot hold. */
function encodeUri(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%21/g, '!'))
    .join('/');
}
