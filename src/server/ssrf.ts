import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Why a URL was not fetched; `status` is the HTTP status the API answers with. */
export class FetchRefusedError extends Error {
  override readonly name = 'FetchRefusedError';
  constructor(
    readonly code:
      | 'BAD_URL'
      | 'BLOCKED_ADDRESS'
      | 'TOO_MANY_REDIRECTS'
      | 'UPSTREAM_STATUS'
      | 'UPSTREAM_ERROR'
      | 'TIMEOUT'
      | 'NOT_SUPPORTED',
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// Every range that is not public unicast: private, loopback, link-local (169.254.169.254, the
// cloud metadata service), shared CGNAT, multicast, reserved, documentation and benchmarking,
// and the IPv6 unique-local, link-local and site-local ranges. IPv4-mapped, NAT64 and 6to4
// addresses are judged by the IPv4 address inside them.
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  const m = hex ?? sixToFour;
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  const hi = Number.parseInt(m[1], 16);
  const lo = Number.parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Options of the guard. */
export interface GuardOptions {
  /**
   * Allow loopback addresses (127.0.0.0/8, ::1). For tests and a service whose upstream runs on
   * the same machine (`serve --allow-loopback-urls`); every other private range stays blocked.
   */
  readonly allowLoopback?: boolean;
}

/** True when a connection to `address` (an IP literal) is allowed. */
export function isAllowedAddress(address: string, options: GuardOptions = {}): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const v4 = family === 6 ? embeddedIpv4(address) : address;
  if (v4 !== undefined) {
    if (options.allowLoopback === true && LOOPBACK.check(v4, 'ipv4')) return true;
    return !BLOCKED.check(v4, 'ipv4');
  }
  if (options.allowLoopback === true && LOOPBACK.check(address, 'ipv6')) return true;
  return !BLOCKED.check(address, 'ipv6');
}

/**
 * A DNS lookup for http.request that refuses a name if any of its addresses is not allowed: the
 * address checked is the one connected to, so a name that resolves to a public address for a
 * check and to 169.254.169.254 for the connection (DNS rebinding) gets nowhere.
 */
function guardedLookup(options: GuardOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const bad = addresses.find((a) => !isAllowedAddress(a.address, options));
      if (bad !== undefined || addresses.length === 0) {
        callback(
          new FetchRefusedError(
            'BLOCKED_ADDRESS',
            `${hostname} resolves to ${bad?.address ?? 'nothing'}, which is not a public address`,
          ),
          '',
          0,
        );
        return;
      }
      if (lookupOptions.all === true) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      } else {
        const first = addresses[0];
        callback(null, first?.address ?? '', first?.family ?? 4);
      }
    });
  };
}

/** Options of `guardedGet`. */
export interface GetOptions extends GuardOptions {
  readonly maxRedirects?: number;
  /** Time for the headers of each hop. */
  readonly timeoutMs?: number;
}

/** Checks a user URL before any connection: scheme, and the host when it is an IP literal. */
export function checkUrl(raw: string, options: GuardOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefusedError('BAD_URL', `not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchRefusedError(
      'BAD_URL',
      `only http and https URLs are fetched, not ${url.protocol}`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !isAllowedAddress(host, options)) {
    throw new FetchRefusedError('BLOCKED_ADDRESS', `${host} is not a public address`);
  }
  if (options.allowLoopback !== true && /^localhost\.?$|\.localhost\.?$/i.test(host)) {
    throw new FetchRefusedError('BLOCKED_ADDRESS', `${host} is not a public address`);
  }
  return url;
}

/**
 * GETs a user-supplied URL with the SSRF guard on every hop: only http(s), no private, loopback,
 * link-local or reserved address (checked on the address actually connected to, after DNS), and
 * each redirect re-checked. Resolves with the 200 response body; the caller bounds its size.
 */
export async function guardedGet(raw: string, options: GetOptions = {}): Promise<IncomingMessage> {
  const maxRedirects = options.maxRedirects ?? 5;
  let url = checkUrl(raw, options);
  for (let hop = 0; ; hop++) {
    const res = await getOnce(url, options);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      if (hop >= maxRedirects) {
        throw new FetchRefusedError('TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects`);
      }
      url = checkUrl(new URL(res.headers.location, url).href, options);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new FetchRefusedError('UPSTREAM_STATUS', `the URL answered HTTP ${status}`, 502);
    }
    return res;
  }
}

function getOnce(url: URL, options: GetOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', lookup: guardedLookup(options) }, resolve);
    req.setTimeout(options.timeoutMs ?? 30_000, () => {
      req.destroy(new FetchRefusedError('TIMEOUT', 'the URL did not answer in time', 504));
    });
    req.once('error', (error) => {
      reject(
        error instanceof FetchRefusedError
          ? error
          : new FetchRefusedError(
              'UPSTREAM_ERROR',
              `fetching the URL failed: ${error.message}`,
              502,
            ),
      );
    });
    req.end();
  });
}
