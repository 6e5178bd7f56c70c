/**
 * A seccomp filter for the sandbox, compiled here to classic BPF (the `struct sock_filter` array
 * that bubblewrap's `--seccomp FD` loads). No libseccomp: the program is small, and writing it out
 * keeps every decision visible in one table.
 *
 * The filter (1) kills the process when the syscall's architecture is not the one the table was
 * written for (a 32-bit `int 0x80` or x32 call would otherwise reach different numbers), (2) makes
 * every syscall of the denylist fail with EPERM, (3) makes clone3 fail with ENOSYS (its flags sit
 * in memory a filter cannot read, and glibc falls back to clone, whose flags it can), (4) refuses
 * clone with any namespace flag and the TIOCSTI/TIOCLINUX ioctls, and (5) with `net: 'none'`
 * refuses socket and socketpair for every address family but AF_UNIX.
 */

/** Architectures the syscall tables cover (others are refused, never run without a filter). */
export type SeccompArch = 'x86_64' | 'aarch64';

/** One denied syscall and why model code never needs it. */
export interface DeniedSyscall {
  readonly name: string;
  readonly why: string;
}

// Grouped by the attack each blocks; numbers per architecture below. A syscall missing from an
// architecture's table (x86-only ones on aarch64) does not exist there.
const DENY: readonly DeniedSyscall[] = [
  { name: 'ptrace', why: 'debugging or injecting into other processes' },
  { name: 'process_vm_readv', why: "reading another process's memory" },
  { name: 'process_vm_writev', why: "writing another process's memory" },
  { name: 'kcmp', why: 'probing other processes' },
  { name: 'pidfd_getfd', why: "stealing another process's file descriptors" },
  { name: 'mount', why: 'changing the file-system view' },
  { name: 'umount2', why: 'removing the sandbox mounts' },
  { name: 'pivot_root', why: 'changing the root' },
  { name: 'chroot', why: 'changing the root' },
  { name: 'fsopen', why: 'new mount API' },
  { name: 'fsconfig', why: 'new mount API' },
  { name: 'fsmount', why: 'new mount API' },
  { name: 'fspick', why: 'new mount API' },
  { name: 'move_mount', why: 'new mount API' },
  { name: 'open_tree', why: 'new mount API' },
  { name: 'mount_setattr', why: 'new mount API' },
  { name: 'open_by_handle_at', why: 'opening files by handle past the mount view' },
  { name: 'name_to_handle_at', why: 'file handles for open_by_handle_at' },
  { name: 'unshare', why: 'new namespaces (kernel attack surface)' },
  { name: 'setns', why: 'entering other namespaces' },
  { name: 'init_module', why: 'loading kernel modules' },
  { name: 'finit_module', why: 'loading kernel modules' },
  { name: 'delete_module', why: 'unloading kernel modules' },
  { name: 'create_module', why: 'kernel modules (obsolete)' },
  { name: 'query_module', why: 'kernel modules (obsolete)' },
  { name: 'kexec_load', why: 'replacing the kernel' },
  { name: 'kexec_file_load', why: 'replacing the kernel' },
  { name: 'reboot', why: 'rebooting' },
  { name: 'swapon', why: 'swap control' },
  { name: 'swapoff', why: 'swap control' },
  { name: 'add_key', why: 'kernel keyring (credentials)' },
  { name: 'request_key', why: 'kernel keyring (credentials)' },
  { name: 'keyctl', why: 'kernel keyring (credentials)' },
  { name: 'bpf', why: 'loading eBPF programs' },
  { name: 'perf_event_open', why: 'performance counters (side channels, kernel attack surface)' },
  { name: 'userfaultfd', why: 'a common kernel-exploit primitive' },
  { name: 'io_uring_setup', why: 'io_uring runs operations the filter never sees' },
  { name: 'io_uring_enter', why: 'io_uring runs operations the filter never sees' },
  { name: 'io_uring_register', why: 'io_uring runs operations the filter never sees' },
  { name: 'fanotify_init', why: 'watching the file system' },
  { name: 'lookup_dcookie', why: 'kernel profiling' },
  { name: 'acct', why: 'process accounting' },
  { name: 'quotactl', why: 'disk quotas' },
  { name: 'quotactl_fd', why: 'disk quotas' },
  { name: 'syslog', why: 'reading the kernel log' },
  { name: 'sethostname', why: 'host identity' },
  { name: 'setdomainname', why: 'host identity' },
  { name: 'settimeofday', why: 'setting the clock' },
  { name: 'clock_settime', why: 'setting the clock' },
  { name: 'vhangup', why: 'terminal control' },
  { name: 'nfsservctl', why: 'NFS server control (obsolete)' },
  { name: 'iopl', why: 'raw I/O port access' },
  { name: 'ioperm', why: 'raw I/O port access' },
  { name: 'uselib', why: 'obsolete library loading' },
  { name: '_sysctl', why: 'obsolete sysctl' },
];

/** The denylist (name and reason), in the order of docs/sandbox.md. */
export const SECCOMP_DENYLIST: readonly DeniedSyscall[] = DENY;

// Syscall numbers from the kernel's tables (arch/x86/entry/syscalls/syscall_64.tbl and
// include/uapi/asm-generic/unistd.h, which aarch64 uses); test/sandbox/seccomp.test.ts checks
// them against the installed linux-libc-dev headers.
/** @internal */
export const SYSCALL_NUMBERS: Readonly<Record<SeccompArch, Readonly<Record<string, number>>>> = {
  x86_64: {
    ioctl: 16,
    socket: 41,
    socketpair: 53,
    clone: 56,
    ptrace: 101,
    syslog: 103,
    uselib: 134,
    vhangup: 153,
    pivot_root: 155,
    _sysctl: 156,
    chroot: 161,
    acct: 163,
    settimeofday: 164,
    mount: 165,
    umount2: 166,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    sethostname: 170,
    setdomainname: 171,
    iopl: 172,
    ioperm: 173,
    create_module: 174,
    init_module: 175,
    delete_module: 176,
    query_module: 178,
    quotactl: 179,
    nfsservctl: 180,
    lookup_dcookie: 212,
    clock_settime: 227,
    kexec_load: 246,
    add_key: 248,
    request_key: 249,
    keyctl: 250,
    unshare: 272,
    perf_event_open: 298,
    fanotify_init: 300,
    name_to_handle_at: 303,
    open_by_handle_at: 304,
    setns: 308,
    process_vm_readv: 310,
    process_vm_writev: 311,
    kcmp: 312,
    finit_module: 313,
    kexec_file_load: 320,
    bpf: 321,
    userfaultfd: 323,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    clone3: 435,
    pidfd_getfd: 438,
    mount_setattr: 442,
    quotactl_fd: 443,
  },
  aarch64: {
    lookup_dcookie: 18,
    ioctl: 29,
    umount2: 39,
    mount: 40,
    pivot_root: 41,
    nfsservctl: 42,
    chroot: 51,
    vhangup: 58,
    quotactl: 60,
    acct: 89,
    unshare: 97,
    kexec_load: 104,
    init_module: 105,
    delete_module: 106,
    clock_settime: 112,
    syslog: 116,
    ptrace: 117,
    reboot: 142,
    sethostname: 161,
    setdomainname: 162,
    settimeofday: 170,
    socket: 198,
    socketpair: 199,
    add_key: 217,
    request_key: 218,
    keyctl: 219,
    clone: 220,
    swapon: 224,
    swapoff: 225,
    perf_event_open: 241,
    fanotify_init: 262,
    name_to_handle_at: 264,
    open_by_handle_at: 265,
    setns: 268,
    process_vm_readv: 270,
    process_vm_writev: 271,
    kcmp: 272,
    finit_module: 273,
    bpf: 280,
    userfaultfd: 282,
    kexec_file_load: 294,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    clone3: 435,
    pidfd_getfd: 438,
    mount_setattr: 442,
    quotactl_fd: 443,
  },
};

// <linux/audit.h>: AUDIT_ARCH_X86_64 = EM_X86_64 | 64BIT | LE, AUDIT_ARCH_AARCH64 likewise.
const AUDIT_ARCH: Readonly<Record<SeccompArch, number>> = {
  x86_64: 0xc000003e,
  aarch64: 0xc00000b7,
};

// <linux/seccomp.h> return actions and <linux/filter.h> opcodes.
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

// struct seccomp_data: nr at 0, arch at 4, instruction_pointer at 8, args[6] at 16 (u64 each;
// the low half first on little-endian machines, and both supported machines are).
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number): number => 16 + 8 * i;

// The x32 ABI shares x86_64's audit arch and marks its numbers with this bit.
const X32_SYSCALL_BIT = 0x40000000;
// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (<linux/sched.h>).
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
// <asm-generic/ioctls.h>: faking terminal input into the caller's shell, and the console ioctl.
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const AF_UNIX = 1;

/** Options that change the program. */
export interface SeccompOptions {
  readonly arch: SeccompArch;
  /** 'none' also refuses every socket family but AF_UNIX. */
  readonly net: 'none' | 'loopback';
}

/** Maps `process.arch` to a covered architecture, or undefined (then the sandbox refuses). */
export function seccompArchFor(nodeArch: string): SeccompArch | undefined {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  return undefined;
}

interface Insn {
  readonly code: number;
  readonly k: number;
  /** Labels (or 0 for the next instruction) for conditional jumps. */
  readonly jt?: string;
  readonly jf?: string;
  readonly label?: string;
}

/**
 * Compiles the filter to the bytes of a `struct sock_filter[]` (8 bytes per instruction, native
 * little-endian), ready to be written to the FD given to `bwrap --seccomp`.
 * Throws RangeError if a jump would not fit in 8 bits (it cannot with these tables).
 */
export function compileSeccompFilter(options: SeccompOptions): Buffer {
  const numbers = SYSCALL_NUMBERS[options.arch];
  const nr = (name: string): number => {
    const value = numbers[name];
    if (value === undefined) throw new RangeError(`no ${name} on ${options.arch}`);
    return value;
  };
  const prog: Insn[] = [
    { code: LD_W_ABS, k: OFF_ARCH },
    { code: JEQ_K, k: AUDIT_ARCH[options.arch], jf: 'kill' },
    { code: LD_W_ABS, k: OFF_NR },
  ];
  if (options.arch === 'x86_64') prog.push({ code: JGE_K, k: X32_SYSCALL_BIT, jt: 'eperm' });
  for (const { name } of DENY) {
    if (numbers[name] !== undefined) prog.push({ code: JEQ_K, k: nr(name), jt: 'eperm' });
  }
  prog.push({ code: JEQ_K, k: nr('clone3'), jt: 'enosys' });
  prog.push({ code: JEQ_K, k: nr('clone'), jt: 'clone' });
  prog.push({ code: JEQ_K, k: nr('ioctl'), jt: 'ioctl' });
  if (options.net === 'none') {
    prog.push({ code: JEQ_K, k: nr('socket'), jt: 'socket' });
    prog.push({ code: JEQ_K, k: nr('socketpair'), jt: 'socket' });
  }
  prog.push({ code: RET_K, k: RET_ALLOW });
  // clone(flags, ...): flags is the first argument on both architectures, and clone() uses only
  // its low 32 bits (kernel/fork.c), so the low half decides.
  prog.push({ code: LD_W_ABS, k: argLow(0), label: 'clone' });
  prog.push({ code: JSET_K, k: CLONE_NAMESPACE_FLAGS, jt: 'eperm' });
  prog.push({ code: RET_K, k: RET_ALLOW });
  // ioctl(fd, request): the kernel takes request as unsigned int, so the low half decides.
  prog.push({ code: LD_W_ABS, k: argLow(1), label: 'ioctl' });
  prog.push({ code: JEQ_K, k: TIOCSTI, jt: 'eperm' });
  prog.push({ code: JEQ_K, k: TIOCLINUX, jt: 'eperm' });
  prog.push({ code: RET_K, k: RET_ALLOW });
  if (options.net === 'none') {
    // socket(domain, ...): domain is an int, so the low half decides.
    prog.push({ code: LD_W_ABS, k: argLow(0), label: 'socket' });
    prog.push({ code: JEQ_K, k: AF_UNIX, jf: 'eperm' });
    prog.push({ code: RET_K, k: RET_ALLOW });
  }
  prog.push({ code: RET_K, k: RET_ERRNO | EPERM, label: 'eperm' });
  prog.push({ code: RET_K, k: RET_ERRNO | ENOSYS, label: 'enosys' });
  prog.push({ code: RET_K, k: RET_KILL_PROCESS, label: 'kill' });
  return assemble(prog);
}

function assemble(prog: readonly Insn[]): Buffer {
  const labels = new Map<string, number>();
  prog.forEach((insn, i) => {
    if (insn.label !== undefined) labels.set(insn.label, i);
  });
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    const jump = (label: string | undefined): number => {
      if (label === undefined) return 0;
      const target = labels.get(label);
      if (target === undefined) throw new RangeError(`unknown label ${label}`);
      const offset = target - i - 1;
      if (offset < 0 || offset > 255) throw new RangeError(`jump to ${label} out of range`);
      return offset;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(jump(insn.jt), i * 8 + 2);
    out.writeUInt8(jump(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}
