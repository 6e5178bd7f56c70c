import { compareSeverity, type Severity } from '../core/finding.js';
import { SARIF_LEVEL, SECURITY_SEVERITY } from '../core/sarif-severity.js';
import type { EndpointResult, ProbeReport } from './run.js';

/** Where the probe and its exact bytes are documented. */
export const PROBE_DOCS = 'docs/probe.md';

/** The endpoints that count as findings at `failOn`: exposed services at or above it. */
export function failingEndpoints(report: ProbeReport, failOn: Severity): EndpointResult[] {
  return report.endpoints.filter(
    (e) => e.severity !== undefined && compareSeverity(e.severity, failOn) >= 0,
  );
}

function hostPort(e: EndpointResult): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** The text report: one line per endpoint that answered, then problems and a summary. */
export function renderProbeText(report: ProbeReport, verbose: boolean): string {
  const lines: string[] = [];
  for (const e of report.endpoints) {
    if (!verbose && (e.state === 'closed' || e.state === 'unreachable')) continue;
    const sev = e.severity === undefined ? '' : ` [${e.severity}]`;
    lines.push(`${hostPort(e)}  ${e.service}${sev}  ${e.detail}`);
    if (e.listener !== undefined) {
      const owner =
        e.listener.pid === undefined
          ? 'owner not readable'
          : `pid ${e.listener.pid}${e.listener.command === undefined ? '' : ` ${e.listener.command}`}`;
      lines.push(`    listening on ${e.listener.bound} (${owner})`);
    }
    if (e.unauthenticatedRead === true) lines.push('    accepted an unauthenticated read');
    if (e.policy !== undefined && e.policy !== '' && e.unauthenticatedRead === true) {
      lines.push(`    policy: ${e.policy}`);
    }
    if (verbose) {
      for (const s of e.stages ?? []) {
        lines.push(
          `    stage ${s.stage}: sent ${s.sent}, ${s.end}, received ${s.received || '(nothing)'}`,
        );
      }
    }
  }
  for (const p of report.problems) lines.push(`${p.target}  ${p.problem}  ${p.detail}`);
  const exposed = report.endpoints.filter((e) => e.unauthenticatedRead === true).length;
  const answered = report.endpoints.filter(
    (e) => e.state === 'answered' || e.state === 'open',
  ).length;
  lines.push(
    `${report.endpoints.length} endpoints probed, ${answered} open, ${exposed} served an unauthenticated read` +
      (report.problems.length === 0 ? '' : `, ${report.problems.length} targets not probed`) +
      ` (${report.durationMs} ms)`,
  );
  return `${lines.join('\n')}\n`;
}

/** The JSON report (`"version": 1`), endpoints in probe order. */
export function renderProbeJson(report: ProbeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const RULES = [
  {
    id: 'probe/exposed-distributed-endpoint',
    title: 'A torch.distributed TCPStore answered an unauthenticated client',
    severity: 'critical' as Severity,
  },
  {
    id: 'probe/unauthenticated-service',
    title: 'An ML service served a read without credentials',
    severity: 'high' as Severity,
  },
  {
    id: 'probe/exposed-listener',
    title: 'A distributed or ML service port is reachable',
    severity: 'low' as Severity,
  },
];

// A relative path naming the endpoint: no scheme, no colon (IPv6 colons and the port separator
// become '_'), so every SARIF consumer takes it as a path.
function endpointPath(e: EndpointResult): string {
  return `probe/${hostPort(e).replace(/[[\]]/g, '').replace(/:/g, '_')}`;
}

function ruleOf(e: EndpointResult): string {
  if (e.service === 'tcpstore') return 'probe/exposed-distributed-endpoint';
  if (e.unauthenticatedRead === true) return 'probe/unauthenticated-service';
  return 'probe/exposed-listener';
}

/**
 * SARIF 2.1.0: one result per endpoint with a severity. GitHub code scanning refuses a location
 * URI with a scheme other than a file path ("unrecognized SARIF location URI scheme"), so the
 * physical location is the relative path `probe/HOST_PORT` and the `tcp://` address is the
 * result's logical location and `endpoint` property.
 */
export function renderProbeSarif(report: ProbeReport): string {
  const found = report.endpoints.filter((e) => e.severity !== undefined);
  const used = new Set(found.map(ruleOf));
  const rules = RULES.filter((r) => used.has(r.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
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
            // No informationUri or helpUri: package.json names no repository, and an address is
            // given only for a page known to exist (as in reporters/sarif.ts).
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              help: { text: `See ${PROBE_DOCS}` },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: {
                'security-severity': SECURITY_SEVERITY[r.severity],
                tags: ['security', 'probe'],
              },
            })),
          },
        },
        results: found.map((e) => {
          const severity = e.severity ?? 'info';
          const rule = ruleOf(e);
          return {
            ruleId: rule,
            ruleIndex: index.get(rule) ?? 0,
            level: SARIF_LEVEL[severity],
            message: {
              text: `${hostPort(e)}: ${e.detail}${e.policy === undefined || e.policy === '' ? '' : `. ${e.policy}`}`,
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: endpointPath(e) },
                },
                logicalLocations: [
                  { fullyQualifiedName: `tcp://${hostPort(e)}`, kind: 'resource' },
                ],
              },
            ],
            properties: {
              endpoint: `tcp://${hostPort(e)}`,
              service: e.service,
              'security-severity': SECURITY_SEVERITY[severity],
              unauthenticatedRead: e.unauthenticatedRead,
              ...(e.torchEra === undefined ? {} : { torchEra: e.torchEra }),
            },
          };
        }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
