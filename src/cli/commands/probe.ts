import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '../../core/finding.js';
import { toolVersion } from '../../engine/version.js';
import { failingEndpoints, renderProbeJson, renderProbeText } from '../../probe/render.js';
import { probeLocal, probeTargets, type ProbeReport } from '../../probe/run.js';
import { isIP } from 'node:net';
import {
  isNonPublic,
  parsePort,
  parseTarget,
  TargetError,
  type TargetSpec,
} from '../../probe/targets.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const USAGE = `Usage: torchward probe [options] TARGET...
       torchward probe --local [options]

Asks whether a torch.distributed TCPStore (c10d store, torchrun rendezvous) or an
unauthenticated ML service (Ray dashboard, TorchServe management, Jupyter, MLflow,
TensorBoard) is reachable from here, without changing anything on it.

Point it only at hosts you are authorised to test.

TARGET is HOST, HOST:PORT, [IPv6]:PORT or a CIDR of at most /24 (256 addresses).
A target without a port is probed on 29500 and 29400 (TCPStore), MASTER_PORT from the
environment and every --port, then 8265, 8081, 8888, 5000 and 6006 (HTTP services).

The TCPStore probe is read-only and staged, one connection at a time, each step
time-boxed: A sends 06 (pre-2.1 GETNUMKEYS); only if nothing came back, B sends
00 ce f7 85 3c 0d 11 22 a5 5a (VALIDATE + PING) and, after the echo, 07 (GETNUMKEYS);
only if B was closed unanswered, C sends 00 ce f7 85 3c 07 (VALIDATE + GETNUMKEYS).
HTTP services get one GET of a version or status endpoint. See docs/probe.md.

Options:
      --local                    probe this host's own listeners: sockets bound to all
                                 interfaces on distributed/ML ports (from /proc/net/tcp
                                 and /proc/net/tcp6), each probed on loopback
  -p, --port PORT[,PORT]         extra ports for targets given without one (repeatable)
      --timeout SECONDS          time box of each step, connect included (default: 1.5)
      --allow-public             also probe public (internet-routable) addresses
  -f, --format text|json|sarif   output format (default: text)
  -o, --output FILE              write the report to FILE instead of stdout
      --fail-on SEVERITY         lowest severity that fails the run:
                                 info|low|medium|high|critical (default: low)
  -v, --verbose                  also list closed ports and the bytes of every stage
  -h, --help                     show this help

Exit codes: 0 nothing exposed at or above --fail-on, 1 otherwise, 2 usage error
(a public address without --allow-public, a CIDR larger than /24 …), 3 no target
could be probed, 4 internal error.
`;

const DEFAULT_TIMEOUT_MS = 1500;
// One connection at a time: a step longer than this makes a /24 scan take hours.
const MAX_TIMEOUT_MS = 60_000;

export const probeCommand: Command = {
  name: 'probe',
  summary: 'Probe hosts for exposed torch.distributed stores and ML services (read-only)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        local: { type: 'boolean', default: false },
        port: { type: 'string', short: 'p', multiple: true, default: [] },
        timeout: { type: 'string' },
        'allow-public': { type: 'boolean', default: false },
        format: { type: 'string', short: 'f', default: 'text' },
        'fail-on': { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json', 'sarif']);
    const failOnArg = values['fail-on'] ?? 'low';
    if (!SEVERITIES.includes(failOnArg as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
    }
    const failOn = failOnArg as Severity;
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    if (values.timeout !== undefined) {
      const seconds = Number(values.timeout);
      if (
        !/^\d+(?:\.\d+)?$/.test(values.timeout) ||
        seconds * 1000 < 50 ||
        seconds * 1000 > MAX_TIMEOUT_MS
      ) {
        throw new UsageError('--timeout must be a number of seconds from 0.05 to 60');
      }
      timeoutMs = Math.round(seconds * 1000);
    }
    const extraPorts: number[] = [];
    try {
      for (const list of values.port)
        for (const p of list.split(',')) extraPorts.push(parsePort(p.trim()));
      const master = io.env.MASTER_PORT;
      if (master !== undefined && master !== '') extraPorts.push(parsePort(master.trim()));
    } catch (error) {
      if (error instanceof TargetError) throw new UsageError(error.message);
      throw error;
    }
    const options = {
      timeoutMs,
      extraPorts,
      allowPublic: values['allow-public'],
      toolVersion: toolVersion(),
    };
    let report: ProbeReport;
    if (values.local) {
      if (positionals.length > 0) throw new UsageError('--local takes no TARGET');
      report = await probeLocal(options);
    } else {
      if (positionals.length === 0) throw new UsageError('give at least one TARGET, or --local');
      const targets: TargetSpec[] = [];
      for (const text of positionals) {
        try {
          targets.push(parseTarget(text));
        } catch (error) {
          if (error instanceof TargetError) throw new UsageError(error.message);
          throw error;
        }
      }
      refuseLiteralPublic(targets, values['allow-public']);
      report = await probeTargets(targets, options);
    }
    // SARIF goes through the scan's renderer; it is loaded only when asked for (it reads the
    // rule table).
    const rendered =
      format === 'json'
        ? renderProbeJson(report)
        : format === 'sarif'
          ? (await import('../render-sarif.js')).renderProbeSarif(report)
          : renderProbeText(report, values.verbose);
    // `-o FILE` is taken by the CLI's shared report option, which writes stdout to FILE.
    io.stdout.write(rendered);
    for (const p of report.problems) io.stderr.write(`torchward probe: ${p.target}: ${p.detail}\n`);
    if (failingEndpoints(report, failOn).length > 0) return EXIT.FINDINGS;
    if (!values.local && report.endpoints.length === 0) return EXIT.NO_INPUT;
    return EXIT.OK;
  },
};

/**
 * A public address written on the command line is refused before anything is sent: the probe is
 * for networks the user runs, and an internet address there is more often a typo than a test.
 */
function refuseLiteralPublic(targets: readonly TargetSpec[], allowPublic: boolean): void {
  if (allowPublic) return;
  for (const t of targets) {
    const literal = t.addresses ?? (t.host !== undefined && isIP(t.host) !== 0 ? [t.host] : []);
    const isPublic = literal.filter((a) => !isNonPublic(a));
    if (isPublic.length > 0) {
      throw new UsageError(
        `${t.text}: ${isPublic[0] ?? ''} is a public address; probe only hosts you are authorised to test, and pass --allow-public to probe beyond loopback and private networks`,
      );
    }
  }
}
