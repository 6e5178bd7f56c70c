import { open, readdir, readlink } from 'node:fs/promises';
import { ipv6ToWords } from './targets.js';

/** One listening TCP socket of this host, from /proc/net/tcp or /proc/net/tcp6. */
export interface Listener {
  readonly family: 4 | 6;
  /** The bound address as text ('0.0.0.0', '::', '127.0.0.1' …). */
  readonly address: string;
  readonly port: number;
  /** True for 0.0.0.0 and :: (every interface). */
  readonly wildcard: boolean;
  readonly inode: number;
  /** The owning process, when /proc/<pid>/fd could be read. */
  readonly pid?: number;
  readonly command?: string;
}

const LISTEN = '0A';

/**
 * Parses the text of /proc/net/tcp (`family` 4) or /proc/net/tcp6 (6) into its listening
 * sockets. Addresses there are hex words in host byte order (little-endian on the machines Node
 * runs on); malformed lines are skipped.
 */
export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const [addrHex = '', portHex = ''] = (fields[1] ?? '').split(':');
    const port = parseInt(portHex, 16);
    const inode = Number(fields[9]);
    const address = family === 4 ? decodeV4(addrHex) : decodeV6(addrHex);
    if (address === undefined || !Number.isInteger(port) || !Number.isInteger(inode)) continue;
    out.push({ family, address, port, wildcard: address === '0.0.0.0' || address === '::', inode });
  }
  return out;
}

function decodeV4(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
}

function decodeV6(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return undefined;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const n = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    // Each 32-bit group is in host (little-endian) order: its bytes come reversed.
    const bytes = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
    words.push((bytes[0] ?? 0) * 256 + (bytes[1] ?? 0), (bytes[2] ?? 0) * 256 + (bytes[3] ?? 0));
  }
  if (words.every((w) => w === 0)) return '::';
  const text = words.map((w) => w.toString(16)).join(':');
  // Normalise through the same reader the targets use, so '::ffff:…' and '::1' compare alike.
  return ipv6ToWords(text).every((w) => w === 0) ? '::' : compress(words);
}

function compress(words: readonly number[]): string {
  // The longest run of zero words becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// /proc/net/tcp of a busy host is a few megabytes; more than this is not a socket table.
const MAX_PROC_BYTES = 32 * 1024 * 1024;
// Processes and descriptors walked to find socket owners: a bound, not a guess at real counts.
const MAX_PIDS = 32_768;
const MAX_FDS_PER_PID = 65_536;

/**
 * This host's listening TCP sockets (IPv4 and IPv6), with their owning process where
 * /proc/<pid>/fd is readable (other users' processes usually are not, unless run as root).
 */
export async function readListeners(proc = '/proc'): Promise<Listener[]> {
  const listeners: Listener[] = [];
  for (const [file, family] of [
    ['net/tcp', 4],
    ['net/tcp6', 6],
  ] as const) {
    const text = await readBounded(`${proc}/${file}`);
    if (text !== undefined) listeners.push(...parseProcNetTcp(text, family));
  }
  const wanted = new Set(listeners.map((l) => l.inode).filter((i) => i !== 0));
  const owners = await socketOwners(proc, wanted);
  return listeners.map((l) => {
    const owner = owners.get(l.inode);
    return owner === undefined ? l : { ...l, pid: owner.pid, command: owner.command };
  });
}

async function readBounded(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    // /proc files report size 0: read in chunks up to the bound.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_PROC_BYTES) return undefined;
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('latin1');
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

async function socketOwners(
  proc: string,
  wanted: ReadonlySet<number>,
): Promise<Map<number, { pid: number; command: string }>> {
  const out = new Map<number, { pid: number; command: string }>();
  if (wanted.size === 0) return out;
  let pids: string[];
  try {
    pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).slice(0, MAX_PIDS);
  } catch {
    return out;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = (await readdir(`${proc}/${pid}/fd`)).slice(0, MAX_FDS_PER_PID);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = await readlink(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(link);
      const inode = match === null ? undefined : Number(match[1]);
      if (inode === undefined || !wanted.has(inode) || out.has(inode)) continue;
      out.set(inode, { pid: Number(pid), command: await commandOf(proc, pid) });
    }
    if (out.size === wanted.size) break;
  }
  return out;
}

async function commandOf(proc: string, pid: string): Promise<string> {
  const text = await readBounded(`${proc}/${pid}/cmdline`);
  // Arguments are NUL-separated; 200 characters name the program and its flags.
  return (text ?? '')
    .split('\0')
    .filter((a) => a !== '')
    .join(' ')
    .slice(0, 200);
}

// Programs whose listeners are worth reporting on any port (a TCPStore on a custom MASTER_PORT).
const ML_COMMAND =
  /\b(?:torchrun|torch\.distributed|torch|ray|jupyter(?:-lab|-notebook|-server)?|tensorboard|mlflow|torchserve|dask-scheduler|dask)\b/;

/** True when the owning command line belongs to a distributed or ML service. */
export function isMlCommand(command: string | undefined): boolean {
  return command !== undefined && ML_COMMAND.test(command);
}
