import type { Severity } from '../core/finding.js';
import { probeHttp, type HttpProbe } from './http.js';
import { isMlCommand, readListeners, type Listener } from './local.js';
import { HTTP_PORTS, LOCAL_PORTS, SERVICES, TCPSTORE_PORTS, type ServiceId } from './services.js';
import { isNonPublic, resolveHost, type TargetSpec } from './targets.js';
import { probeTcpStore, type StageRecord, type TcpStoreProbe, type TorchEra } from './tcpstore.js';

/** What one endpoint (address and port) turned out to be. */
export interface EndpointResult {
  /** The target as given ('node1', '10.0.0.0/24', 'local'). */
  readonly target: string;
  readonly address: string;
  readonly port: number;
  /** The service that answered; 'none' when nothing listened, 'unknown' when it did not say. */
  readonly service: ServiceId | 'none' | 'unknown';
  readonly state: 'answered' | 'open' | 'closed' | 'unreachable';
  /** TCPStore only: the torch generation its answers show. */
  readonly torchEra?: TorchEra;
  /** TCPStore only: the server backend its first answer points to. */
  readonly backend?: 'legacy' | 'libuv' | 'unknown';
  /** TCPStore only: keys the store counted for us. */
  readonly numKeys?: number;
  /** HTTP services: the version they reported. */
  readonly version?: string;
  /** HTTP only: the status of the GET. */
  readonly httpStatus?: number;
  /** True when the service served a read without credentials; false when it asked for them. */
  readonly unauthenticatedRead: boolean | null;
  /** Set for an exposed service: how bad, and the policy sentence it breaks. */
  readonly severity?: Severity;
  readonly policy?: string;
  /** One line for people. */
  readonly detail: string;
  /** The exact bytes exchanged by the TCPStore stages (hex). */
  readonly stages?: readonly StageRecord[];
  /** The GET sent to an HTTP service. */
  readonly request?: string;
  /** probe --local: the socket's bound address and owning process. */
  readonly listener?: { readonly bound: string; readonly pid?: number; readonly command?: string };
}

/** A target that produced no endpoint: unresolvable, or refused as public. */
export interface TargetProblem {
  readonly target: string;
  readonly problem: 'unresolvable' | 'public-address';
  readonly detail: string;
}

/** The whole probe run. */
export interface ProbeReport {
  readonly version: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly timeoutMs: number;
  readonly endpoints: readonly EndpointResult[];
  readonly problems: readonly TargetProblem[];
  readonly durationMs: number;
}

/** Options of a probe run. */
export interface ProbeOptions {
  /** Time box of each step (connect included), in milliseconds. */
  readonly timeoutMs: number;
  /** Extra ports probed on targets given without one (--port, MASTER_PORT). */
  readonly extraPorts: readonly number[];
  /** Probe addresses outside private, loopback and link-local ranges. */
  readonly allowPublic: boolean;
  readonly toolVersion: string;
  /** Called before each endpoint, for progress display. */
  readonly onEndpoint?: (address: string, port: number) => void;
}

/** The ports tried on a target given without a port, in order, without repeats. */
export function defaultPorts(extra: readonly number[]): number[] {
  return [...new Set([...TCPSTORE_PORTS, ...extra, ...HTTP_PORTS.keys()])];
}

/**
 * Probes every target, one connection at a time, in the order given: targets, then addresses,
 * then ports. Names resolving to public addresses are refused (unless `allowPublic`) and listed
 * as problems, as are names that do not resolve. Never throws for bad input.
 */
export async function probeTargets(
  targets: readonly TargetSpec[],
  options: ProbeOptions,
): Promise<ProbeReport> {
  const started = Date.now();
  const endpoints: EndpointResult[] = [];
  const problems: TargetProblem[] = [];
  for (const target of targets) {
    let addresses: readonly string[];
    if (target.addresses !== undefined) addresses = target.addresses;
    else {
      const resolved = await resolveHost(target.host ?? '', options.timeoutMs);
      if ('error' in resolved) {
        problems.push({ target: target.text, problem: 'unresolvable', detail: resolved.error });
        continue;
      }
      addresses = resolved.addresses;
    }
    const allowed = addresses.filter((a) => options.allowPublic || isNonPublic(a));
    const refused = addresses.filter((a) => !allowed.includes(a));
    if (refused.length > 0) {
      problems.push({
        target: target.text,
        problem: 'public-address',
        detail: `${refused.join(', ')} ${refused.length === 1 ? 'is a public address' : 'are public addresses'}: probe only hosts you are authorised to test, and pass --allow-public to probe beyond private networks`,
      });
    }
    const ports = target.port === undefined ? defaultPorts(options.extraPorts) : [target.port];
    for (const address of allowed) {
      for (const port of ports) {
        options.onEndpoint?.(address, port);
        const result = await probeEndpoint(target.text, address, port, options.timeoutMs);
        endpoints.push(result);
        // A host the network says is unreachable will not answer on its next port either.
        if (result.state === 'unreachable' && result.detail.includes('unreachable')) break;
      }
    }
  }
  return {
    version: 1,
    tool: { name: 'torchward', version: options.toolVersion },
    timeoutMs: options.timeoutMs,
    endpoints,
    problems,
    durationMs: Date.now() - started,
  };
}

/**
 * Probes one endpoint: the identifying GET on the default port of an HTTP service; elsewhere the
 * staged TCPStore probe, and one `GET /` only when that showed something other than a TCPStore
 * (an HTTP request never reaches a store we recognised).
 */
export async function probeEndpoint(
  target: string,
  address: string,
  port: number,
  timeoutMs: number,
): Promise<EndpointResult> {
  const base = { target, address, port };
  const httpService = HTTP_PORTS.get(port);
  if (httpService !== undefined) {
    const path = SERVICES[httpService].path ?? '/';
    return fromHttp(base, await probeHttp(address, port, path, timeoutMs, httpService));
  }
  const store = await probeTcpStore(address, port, { timeoutMs });
  if (store.kind === 'tcpstore') return fromStore(base, store);
  if (store.kind === 'closed' || store.kind === 'unreachable') {
    return {
      ...base,
      service: 'none',
      state: store.kind,
      unauthenticatedRead: null,
      detail:
        store.kind === 'closed'
          ? 'connection refused'
          : `no connection (${store.connectError ?? 'unreachable'})`,
      stages: store.stages,
    };
  }
  const http = await probeHttp(address, port, '/', timeoutMs);
  if (http.kind === 'identified' || http.kind === 'http') {
    return { ...fromHttp(base, http), stages: store.stages };
  }
  return {
    ...base,
    service: 'unknown',
    state: 'open',
    unauthenticatedRead: null,
    detail:
      store.kind === 'silent'
        ? 'open, but silent to the TCPStore stages and to HTTP'
        : 'open, answers neither as a TCPStore nor as HTTP',
    stages: store.stages,
    request: 'GET /',
  };
}

function fromStore(
  base: { target: string; address: string; port: number },
  store: TcpStoreProbe,
): EndpointResult {
  const era =
    store.era === 'pre-2.1'
      ? 'torch ≤ 2.0 (no VALIDATE handshake)'
      : store.era === 'ping'
        ? 'torch ≥ 2.1 with PING (validated)'
        : 'torch ≥ 2.1 (validated, no PING)';
  const keys =
    store.numKeys === undefined
      ? ''
      : `; counted ${store.numKeys} keys for an unauthenticated client`;
  const info = SERVICES.tcpstore;
  return {
    ...base,
    service: 'tcpstore',
    state: 'answered',
    ...(store.era === undefined ? {} : { torchEra: store.era }),
    ...(store.era === 'pre-2.1' || store.backend === undefined ? {} : { backend: store.backend }),
    ...(store.numKeys === undefined ? {} : { numKeys: store.numKeys }),
    // PING is answered without credentials too: an unauthenticated peer is served either way.
    unauthenticatedRead: true,
    severity: info.severity,
    policy: info.policy,
    detail: `TCPStore, ${era}${keys}`,
    stages: store.stages,
  };
}

function fromHttp(
  base: { target: string; address: string; port: number },
  http: HttpProbe,
): EndpointResult {
  const request = `GET ${http.path}`;
  if (http.kind === 'closed' || http.kind === 'unreachable') {
    return {
      ...base,
      service: 'none',
      state: http.kind,
      unauthenticatedRead: null,
      detail:
        http.kind === 'closed'
          ? 'connection refused'
          : `no connection (${http.connectError ?? 'unreachable'})`,
      request,
    };
  }
  const status = http.status === undefined ? {} : { httpStatus: http.status };
  if (http.kind !== 'identified' || http.service === undefined) {
    return {
      ...base,
      service: http.kind === 'http' ? 'http' : 'unknown',
      state: 'open',
      ...status,
      unauthenticatedRead: null,
      detail:
        http.kind === 'http'
          ? `HTTP ${http.status ?? ''} to ${request}; not a service the probe knows`
          : http.kind === 'silent'
            ? `open, but no answer to ${request}`
            : `open, but the answer to ${request} is not HTTP`,
      request,
    };
  }
  const info = SERVICES[http.service];
  const open = http.unauthenticatedRead === true;
  return {
    ...base,
    service: http.service,
    state: 'answered',
    ...(http.version === undefined ? {} : { version: http.version }),
    ...status,
    unauthenticatedRead: open,
    severity: open ? info.severity : 'info',
    policy: info.policy,
    detail: open
      ? `${info.name}${http.version === undefined ? '' : ` ${http.version}`} served ${request} without credentials`
      : `${info.name} asked for credentials (HTTP ${http.status ?? ''})`,
    request,
  };
}

/** A listener `probe --local` reports: wildcard-bound, on an ML port or owned by an ML program. */
export function isReportedListener(listener: Listener): boolean {
  return listener.wildcard && (LOCAL_PORTS.has(listener.port) || isMlCommand(listener.command));
}

/**
 * `probe --local`: this host's listening sockets bound to a wildcard address that belong to a
 * distributed or ML service (by port or by owning program), each probed on loopback.
 */
export async function probeLocal(
  options: ProbeOptions,
  proc = '/proc',
): Promise<ProbeReport & { readonly listeners: number }> {
  const started = Date.now();
  const listeners = await readListeners(proc);
  const reported = listeners.filter(isReportedListener);
  // One entry per port: a socket on 0.0.0.0 and one on :: for the same service are one endpoint.
  const seen = new Set<number>();
  const endpoints: EndpointResult[] = [];
  for (const listener of reported.sort((a, b) => a.port - b.port || a.family - b.family)) {
    if (seen.has(listener.port)) continue;
    seen.add(listener.port);
    const loopback = listener.family === 4 ? '127.0.0.1' : '::1';
    options.onEndpoint?.(loopback, listener.port);
    const result = await probeEndpoint('local', loopback, listener.port, options.timeoutMs);
    const known = LOCAL_PORTS.get(listener.port);
    endpoints.push({
      ...result,
      listener: {
        bound: `${listener.family === 6 ? `[${listener.address}]` : listener.address}:${listener.port}`,
        ...(listener.pid === undefined ? {} : { pid: listener.pid }),
        ...(listener.command === undefined ? {} : { command: listener.command }),
      },
      detail: `bound to all interfaces${known === undefined ? '' : ` (${known} port)`}; ${result.detail}`,
      // A wildcard-bound ML port that answered nothing we know is still worth a look.
      ...(result.severity === undefined && result.state !== 'closed'
        ? { severity: 'low' as const }
        : {}),
    });
  }
  return {
    version: 1,
    tool: { name: 'torchward', version: options.toolVersion },
    timeoutMs: options.timeoutMs,
    endpoints,
    problems: [],
    durationMs: Date.now() - started,
    listeners: listeners.length,
  };
}
