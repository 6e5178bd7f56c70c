import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A target as given on the command line, parsed. */
export interface TargetSpec {
  /** The text given. */
  readonly text: string;
  /** A host name or address (IPv6 without brackets); undefined for a CIDR. */
  readonly host?: string;
  /** Addresses of a CIDR, in order. */
  readonly addresses?: readonly string[];
  /** The port given with HOST:PORT. */
  readonly port?: number;
}

/** A target that cannot be parsed: the CLI turns it into a usage error. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

// One /24 is 256 addresses; probed one connection at a time, that is already minutes.
const MAX_CIDR_ADDRESSES = 256;

/**
 * Parses `HOST`, `HOST:PORT`, `[IPv6]:PORT`, a bare IPv6 address, or a CIDR of at most 256
 * addresses (IPv4 /24 to /32, IPv6 /120 to /128). Throws TargetError for anything else.
 */
export function parseTarget(text: string): TargetSpec {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 255) throw new TargetError(`invalid target '${text}'`);
  const slash = trimmed.indexOf('/');
  if (slash >= 0) return { text, addresses: expandCidr(trimmed) };
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracket !== null) {
    const host = bracket[1] ?? '';
    if (isIP(host) !== 6) throw new TargetError(`'${host}' is not an IPv6 address`);
    return bracket[2] === undefined ? { text, host } : { text, host, port: parsePort(bracket[2]) };
  }
  if (isIP(trimmed) === 6) return { text, host: trimmed };
  const colon = trimmed.lastIndexOf(':');
  if (colon >= 0) {
    const host = trimmed.slice(0, colon);
    checkHostName(host, text);
    return { text, host, port: parsePort(trimmed.slice(colon + 1)) };
  }
  checkHostName(trimmed, text);
  return { text, host: trimmed };
}

/** Parses a TCP port number (1-65535); throws TargetError otherwise. */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new TargetError(`invalid port '${text}'`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new TargetError(`port ${port} is out of range`);
  return port;
}

function checkHostName(host: string, text: string): void {
  if (isIP(host) !== 0) return;
  // RFC 1123 labels; anything else (spaces, URLs, shell text) is a typo, not a host.
  if (
    !/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/.test(
      host,
    )
  ) {
    throw new TargetError(`invalid target '${text}'`);
  }
}

function expandCidr(text: string): string[] {
  const [base = '', bitsText = ''] = text.split('/');
  if (text.split('/').length !== 2 || !/^\d{1,3}$/.test(bitsText)) {
    throw new TargetError(`invalid CIDR '${text}'`);
  }
  const bits = Number(bitsText);
  const family = isIP(base);
  if (family === 4) {
    if (bits > 32) throw new TargetError(`invalid CIDR '${text}': /${bits}`);
    if (2 ** (32 - bits) > MAX_CIDR_ADDRESSES) {
      throw new TargetError(`CIDR '${text}' is larger than /24 (${2 ** (32 - bits)} addresses)`);
    }
    const value = ipv4ToNumber(base);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const start = (value & mask) >>> 0;
    const out: string[] = [];
    for (let i = 0; i < 2 ** (32 - bits); i++) out.push(numberToIpv4(start + i));
    return out;
  }
  if (family === 6) {
    if (bits > 128) throw new TargetError(`invalid CIDR '${text}': /${bits}`);
    if (bits < 120) {
      throw new TargetError(`CIDR '${text}' is larger than 256 addresses (at most /120 for IPv6)`);
    }
    const words = ipv6ToWords(base);
    const count = 2 ** (128 - bits);
    const last = words[7] ?? 0;
    const start = last & ~(count - 1) & 0xffff;
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      out.push([...words.slice(0, 7), start + i].map((w) => w.toString(16)).join(':'));
    }
    return out;
  }
  throw new TargetError(`invalid CIDR '${text}'`);
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** The eight 16-bit words of an IPv6 address (an embedded IPv4 tail is converted). */
export function ipv6ToWords(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const n = ipv4ToNumber(v4[1] ?? '0.0.0.0');
    text = `${text.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(zeros).fill('0'), ...t].map((w) => parseInt(w, 16));
}

/**
 * True for addresses that cannot be reached from the internet: loopback, RFC 1918, link-local,
 * carrier-grade NAT (100.64/10), unique-local IPv6 (fc00::/7), link-local IPv6 and the
 * unspecified address; IPv4-mapped IPv6 is judged by its IPv4 part.
 */
export function isNonPublic(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (family === 6) {
    const w = ipv6ToWords(address);
    const [w0 = 0, , , , , w5 = 0, w6 = 0, w7 = 0] = w;
    if (w.slice(0, 5).every((x) => x === 0) && w5 === 0xffff) {
      return isNonPublic(`${w6 >>> 8}.${w6 & 0xff}.${w7 >>> 8}.${w7 & 0xff}`);
    }
    if (w.slice(0, 7).every((x) => x === 0) && (w7 === 1 || w7 === 0)) return true;
    return (w0 & 0xfe00) === 0xfc00 || (w0 & 0xffc0) === 0xfe80;
  }
  return false;
}

/** The addresses a host name resolves to, or why not, within `timeoutMs`. */
export async function resolveHost(
  host: string,
  timeoutMs: number,
): Promise<{ addresses: string[] } | { error: string }> {
  if (isIP(host) !== 0) return { addresses: [host] };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => {
      resolve({ error: `no answer from the resolver within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      lookup(host, { all: true, verbatim: true }).then(
        (found) => ({ addresses: [...new Set(found.map((f) => f.address))] }),
        (error: unknown) => ({
          error: `cannot resolve '${host}' (${String((error as { code?: unknown }).code ?? error)})`,
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
