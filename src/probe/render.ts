import { compareSeverity, type Finding, type Severity } from '../core/finding.js';
import type { RuleDescriptor } from '../core/rule-descriptor.js';
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

/** The probe's rules as reporters see them (its page, docs/probe.md, documents all three). */
export const PROBE_RULES: readonly RuleDescriptor[] = [
  {
    id: 'probe/exposed-distributed-endpoint',
    title: 'A torch.distributed TCPStore answered an unauthenticated client',
    severity: 'critical',
  },
  {
    id: 'probe/unauthenticated-service',
    title: 'An ML service served a read without credentials',
    severity: 'high',
  },
  {
    id: 'probe/exposed-listener',
    title: 'A distributed or ML service port is reachable',
    severity: 'low',
  },
].map((r) => ({
  ...r,
  severity: r.severity as Severity,
  confidence: 'high',
  policy: '',
  docs: PROBE_DOCS,
}));

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

/** One endpoint with a severity as a finding, reported at the path `probe/HOST_PORT`. */
export interface EndpointFinding {
  readonly path: string;
  readonly finding: Finding;
}

/**
 * The endpoints with a severity as findings, for the report renderers (SARIF). GitHub code
 * scanning refuses a location URI with a scheme other than a file path ("unrecognized SARIF
 * location URI scheme"), so each is located at the relative path `probe/HOST_PORT`; the
 * `tcp://` address is its logical path and its `endpoint` property.
 */
export function endpointFindings(report: ProbeReport): EndpointFinding[] {
  return report.endpoints.flatMap((e) => {
    if (e.severity === undefined) return [];
    const path = endpointPath(e);
    const endpoint = `tcp://${hostPort(e)}`;
    const finding: Finding = {
      ruleId: ruleOf(e),
      messageId: 'endpoint',
      message: `${hostPort(e)}: ${e.detail}${e.policy === undefined || e.policy === '' ? '' : `. ${e.policy}`}`,
      severity: e.severity,
      confidence: 'high',
      primary: { uri: path, unit: 'byte', span: { start: 0, end: 0 }, path: [endpoint] },
      related: [],
      properties: {
        endpoint,
        service: e.service,
        unauthenticatedRead: e.unauthenticatedRead,
        ...(e.torchEra === undefined ? {} : { torchEra: e.torchEra }),
      },
    };
    return [{ path, finding }];
  });
}
