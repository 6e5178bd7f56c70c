import { isAbsolute, join, normalize } from 'node:path';
import { SECCOMP_DENYLIST, SYSCALL_NUMBERS, type SeccompArch } from './seccomp.js';
import { isWithin } from './paths.js';

/** What one category of the trace saw: distinct attempts, each with how often it happened. */
export interface TraceItem {
  readonly syscall: string;
  /** A path, an address (`127.0.0.1:8080`, `[::1]:80`, `unix:/run/x`) or the call's arguments. */
  readonly target: string;
  /** `ok` or the errno name (`EROFS`, `ENOENT`, `EPERM` when the seccomp filter refused). */
  readonly result: string;
  readonly count: number;
}

/** The summary of one traced run. Lists are capped; `dropped` counts the distinct items left out. */
export interface TraceSummary {
  readonly network: readonly TraceItem[];
  readonly readsOutside: readonly TraceItem[];
  readonly writesOutside: readonly TraceItem[];
  readonly deniedSyscalls: readonly TraceItem[];
  readonly executed: readonly TraceItem[];
  /** Allocations refused with ENOMEM (the memory limit). */
  readonly memoryFailures: number;
  /** Process or thread creations refused with EAGAIN (the process limit). */
  readonly processFailures: number;
  readonly dropped: number;
  /** Lines of strace output read. */
  readonly lines: number;
}

/** Paths the traced run may touch without being reported. */
export interface TraceScope {
  readonly inputs: readonly string[];
  readonly output: string | undefined;
  /** The caller's home (reported even where it lies under an allowed path such as /tmp). */
  readonly home: string | undefined;
  /** The program the sandbox runs first (events before its execve are bubblewrap's own). */
  readonly launcher: string;
}

const OPEN_CALLS = ['open', 'openat', 'openat2', 'creat'];
// Calls that change the file system; the path is the first string argument (the second for
// symlink/symlinkat, whose first is the link's content).
const WRITE_CALLS = [
  'mkdir',
  'mkdirat',
  'unlink',
  'unlinkat',
  'rmdir',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'truncate',
  'chmod',
  'fchmodat',
  'chown',
  'lchown',
  'fchownat',
  'mknod',
  'mknodat',
];
const NET_CALLS = ['socket', 'connect', 'bind', 'sendto', 'sendmsg'];
const EXEC_CALLS = ['execve', 'execveat'];
const LIMIT_CALLS = ['mmap', 'mremap', 'clone', 'fork', 'vfork'];

/**
 * The `-e trace=` list for strace: file, network, exec, the seccomp denylist and the calls whose
 * failures show a limit. A leading `?` makes strace ignore a name it does not know on this arch.
 */
export function straceSyscalls(arch: SeccompArch): string {
  const names = new Set([
    ...OPEN_CALLS,
    ...WRITE_CALLS,
    ...NET_CALLS,
    ...EXEC_CALLS,
    ...LIMIT_CALLS,
  ]);
  for (const { name } of SECCOMP_DENYLIST) {
    if (SYSCALL_NUMBERS[arch][name] !== undefined) names.add(name);
  }
  return [...names].map((n) => `?${n}`).join(',');
}

/** strace arguments (before `--` and the traced command) writing to `outFile`. */
export function straceArgs(arch: SeccompArch, outFile: string): string[] {
  return [
    '-f',
    '-qq',
    '-y',
    '-s',
    '512',
    '-e',
    'signal=none',
    '-e',
    `trace=${straceSyscalls(arch)}`,
    '-o',
    outFile,
  ];
}

// Read-only system locations any program reads while starting (libraries, configuration,
// /proc and /sys facts); reads there are not reported.
const SYSTEM_READ = [
  '/usr',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/bin',
  '/sbin',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/tmp',
];
const PRIVATE_WRITE = [
  '/tmp',
  '/dev/null',
  '/dev/shm',
  '/proc/self',
  '/proc/thread-self',
  '/dev/tty',
];
// Always reported, wherever they are: credentials a model has no business opening.
const SENSITIVE =
  /(?:^|\/)(?:\.ssh|\.aws|\.gnupg|\.kube|\.docker|\.netrc|\.git-credentials|\.pypirc|\.config\/gcloud|\.cache\/huggingface|\.huggingface)(?:\/|$)|^\/etc\/(?:shadow|gshadow|sudoers)|^\/(?:root|home)(?:\/|$)/;
const MAX_ITEMS = 200;
const MAX_LINE = 64 * 1024;

type Category = 'network' | 'readsOutside' | 'writesOutside' | 'deniedSyscalls' | 'executed';

/**
 * Folds strace output (fed line by line, in order) into a TraceSummary. Events before the
 * launcher's execve, and later events of the processes that existed before it (bubblewrap's own
 * setup and its init), are not the command's and are skipped. Memory stays bounded: at most
 * MAX_ITEMS distinct items per category and one pending call per process.
 */
export class TraceCollector {
  private readonly items = new Map<Category, Map<string, { item: TraceItem; count: number }>>();
  private readonly pending = new Map<string, string>();
  private readonly before = new Set<string>();
  private launcherPid: string | undefined;
  private memoryFailures = 0;
  private processFailures = 0;
  private dropped = 0;
  private lines = 0;
  private readonly denied = new Set(SECCOMP_DENYLIST.map((d) => d.name));

  constructor(private readonly scope: TraceScope) {}

  /** Takes one line of strace output (without the newline). */
  push(rawLine: string): void {
    this.lines += 1;
    const line = rawLine.length > MAX_LINE ? rawLine.slice(0, MAX_LINE) : rawLine;
    const m = /^(\d+) (.*)$/.exec(line);
    if (m === null) return;
    const pid = m[1] ?? '';
    let body = (m[2] ?? '').trimStart();
    if (body.endsWith('<unfinished ...>')) {
      if (this.pending.size < 4096)
        this.pending.set(pid, body.slice(0, -'<unfinished ...>'.length));
      return;
    }
    const resumed = /^<\.\.\. [\w]+ resumed>(.*)$/.exec(body);
    if (resumed !== null) {
      body = (this.pending.get(pid) ?? '') + (resumed[1] ?? '');
      this.pending.delete(pid);
    }
    const call = /^(\w+)\((.*)\) += (.*)$/.exec(body);
    if (call === null) return;
    const name = call[1] ?? '';
    const args = call[2] ?? '';
    const result = resultOf(call[3] ?? '');
    if (this.launcherPid === undefined) {
      this.before.add(pid);
      if (
        EXEC_CALLS.includes(name) &&
        result === 'ok' &&
        firstString(args) === this.scope.launcher
      ) {
        this.launcherPid = pid;
      }
      return;
    }
    if (pid !== this.launcherPid && this.before.has(pid)) return;
    this.classify(name, args, result);
  }

  private classify(name: string, args: string, result: string): void {
    if (OPEN_CALLS.includes(name)) {
      const path = resolvePath(args, name === 'open' || name === 'creat');
      if (path === undefined) return;
      const writes = name === 'creat' || /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(args);
      if (writes) {
        if (!this.writeAllowed(path)) this.add('writesOutside', name, path, result);
      } else if (!this.readAllowed(path)) this.add('readsOutside', name, path, result);
    } else if (WRITE_CALLS.includes(name)) {
      const path = resolvePath(
        args,
        !name.endsWith('at') && !name.endsWith('at2'),
        name.startsWith('symlink'),
      );
      if (path !== undefined && !this.writeAllowed(path))
        this.add('writesOutside', name, path, result);
    } else if (NET_CALLS.includes(name)) {
      this.network(name, args, result);
    } else if (EXEC_CALLS.includes(name)) {
      this.add('executed', name, firstString(args) ?? args.slice(0, 200), result);
    } else if (name === 'mmap' || name === 'mremap') {
      if (result === 'ENOMEM') {
        this.memoryFailures += 1;
      }
    } else if (name === 'clone' || name === 'fork' || name === 'vfork') {
      if (result === 'EAGAIN') this.processFailures += 1;
      else if (result === 'EPERM' && args.includes('CLONE_NEW')) {
        this.add('deniedSyscalls', name, args.slice(0, 200), result);
      }
    } else if (this.denied.has(name)) {
      this.add('deniedSyscalls', name, args.slice(0, 200), result);
    }
  }

  private network(name: string, args: string, result: string): void {
    if (name === 'socket') {
      const family = /^(AF_\w+|\d+)/.exec(args)?.[1] ?? args.slice(0, 40);
      // Local AF_UNIX sockets are how processes talk to each other; they are reported only
      // when they reach for an address (connect, bind, sendto).
      if (family === 'AF_UNIX' && result === 'ok') return;
      const type = /,\s*(SOCK_\w+)/.exec(args)?.[1];
      this.add('network', name, type === undefined ? family : `${family} ${type}`, result);
      return;
    }
    const address = socketAddress(args);
    if (address === undefined) return;
    // glibc asks the name-service cache daemon before every user or host lookup; the attempt
    // says nothing about the command and would be noise in every report.
    if (address === 'unix:/var/run/nscd/socket' || address === 'unix:/run/nscd/socket') return;
    this.add('network', name, address, result);
  }

  private readAllowed(path: string): boolean {
    if (this.mine(path)) return true;
    if (this.private(path)) return false;
    return SYSTEM_READ.some((p) => isWithin(path, p));
  }

  private writeAllowed(path: string): boolean {
    if (this.scope.output !== undefined && isWithin(path, this.scope.output)) return true;
    if (this.private(path)) return false;
    return PRIVATE_WRITE.some((p) => isWithin(path, p));
  }

  private mine(path: string): boolean {
    if (this.scope.output !== undefined && isWithin(path, this.scope.output)) return true;
    return this.scope.inputs.some((i) => isWithin(path, i));
  }

  // The caller's home and credential paths: reported even under an otherwise allowed prefix.
  private private(path: string): boolean {
    if (
      this.scope.home !== undefined &&
      this.scope.home !== '/' &&
      isWithin(path, this.scope.home)
    ) {
      return true;
    }
    return SENSITIVE.test(path);
  }

  private add(category: Category, syscall: string, target: string, result: string): void {
    let map = this.items.get(category);
    if (map === undefined) {
      map = new Map();
      this.items.set(category, map);
    }
    const key = `${syscall}\0${target}\0${result}`;
    const entry = map.get(key);
    if (entry !== undefined) entry.count += 1;
    else if (map.size >= MAX_ITEMS) this.dropped += 1;
    else map.set(key, { item: { syscall, target, result, count: 1 }, count: 1 });
  }

  /** The summary so far. */
  summary(): TraceSummary {
    const list = (c: Category): TraceItem[] =>
      [...(this.items.get(c)?.values() ?? [])].map((e) => ({ ...e.item, count: e.count }));
    return {
      network: list('network'),
      readsOutside: list('readsOutside'),
      writesOutside: list('writesOutside'),
      deniedSyscalls: list('deniedSyscalls'),
      executed: list('executed'),
      memoryFailures: this.memoryFailures,
      processFailures: this.processFailures,
      dropped: this.dropped,
      lines: this.lines,
    };
  }

  /** True once the launcher started (false means the command never ran). */
  get started(): boolean {
    return this.launcherPid !== undefined;
  }
}

function resultOf(text: string): string {
  const err = /^-1 (E[A-Z0-9]+)/.exec(text);
  if (err !== null) return err[1] ?? 'error';
  return text.startsWith('?') ? 'unknown' : 'ok';
}

/** Decodes the first C string literal in strace's arguments (`"..."` with escapes). */
export function firstString(args: string, skip = 0): string | undefined {
  let at = -1;
  for (let n = 0; n <= skip; n += 1) {
    at = args.indexOf('"', at + 1);
    if (at < 0) return undefined;
    if (n < skip) {
      const end = stringEnd(args, at);
      if (end < 0) return undefined;
      at = end;
    }
  }
  const end = stringEnd(args, at);
  if (end < 0) return undefined;
  return unescape(args.slice(at + 1, end));
}

function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (s[i] !== '\\') {
      bytes.push(...Buffer.from(s[i] ?? '', 'utf8'));
      continue;
    }
    const next = s[i + 1] ?? '';
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '\\': 92, '"': 34 };
    if (next === 'x') {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))?.[0] ?? '0';
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else if (simple[next] !== undefined) {
      bytes.push(simple[next]);
      i += 1;
    } else {
      bytes.push(c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// The path a call names, resolved against its directory fd (`AT_FDCWD</cwd>` or `3</dir>`, as
// strace -y prints them). `noDirFd`: the path is the first argument (open, mkdir, unlink ...).
function resolvePath(args: string, noDirFd: boolean, second = false): string | undefined {
  const path = firstString(args, second ? 1 : 0);
  if (path === undefined) return undefined;
  if (isAbsolute(path)) return normalize(path);
  const base = noDirFd ? undefined : /^(?:AT_FDCWD|\d+)<([^>]*)>/.exec(args)?.[1];
  // Without a directory annotation a relative path cannot be placed; report it as given.
  return base === undefined || base === '' ? path : join(base, path);
}

function socketAddress(args: string): string | undefined {
  const inet = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]*)"\)/.exec(
    args,
  );
  if (inet !== null) return `${inet[2] ?? ''}:${inet[1] ?? ''}`;
  const inet6 =
    /sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]*)"/.exec(args);
  if (inet6 !== null) return `[${inet6[2] ?? ''}]:${inet6[1] ?? ''}`;
  const unix = /sa_family=AF_UNIX, sun_path=(@?)"/.exec(args);
  if (unix !== null) {
    const path = firstString(args.slice(unix.index));
    return `unix:${unix[1] ?? ''}${path ?? ''}`;
  }
  const other = /sa_family=(AF_\w+)/.exec(args);
  return other === null ? undefined : (other[1] ?? undefined);
}
