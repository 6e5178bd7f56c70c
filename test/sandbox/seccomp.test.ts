import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  compileSeccompFilter,
  SECCOMP_DENYLIST,
  SYSCALL_NUMBERS,
  type SeccompArch,
} from '../../src/sandbox/seccomp.js';

// The seccomp program as data: its syscall numbers against the kernel headers installed on this
// machine (linux-libc-dev), and its decisions run through a classic-BPF interpreter written here
// from <linux/filter.h>. The real kernel enforcing it is tested in sandbox.test.ts.

const HEADERS: Record<SeccompArch, string> = {
  x86_64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  aarch64: '/usr/include/asm-generic/unistd.h',
};

function headerNumbers(file: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of readFileSync(file, 'utf8').matchAll(
    /^#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$/gm,
  )) {
    map.set(m[1] ?? '', Number(m[2]));
  }
  return map;
}

const ARCH: Record<SeccompArch, number> = { x86_64: 0xc000003e, aarch64: 0xc00000b7 };
const ALLOW = 0x7fff0000;
const KILL = 0x80000000;
const errno = (n: number): number => 0x00050000 | n;

/** Runs a classic BPF seccomp program on one seccomp_data and returns the action. */
function runFilter(
  program: Buffer,
  nr: number,
  arch: number,
  args: readonly number[] = [],
): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr >>> 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  args.forEach((a, i) => {
    data.writeUInt32LE(a >>> 0, 16 + 8 * i);
  });
  let acc = 0;
  for (let pc = 0, steps = 0; pc < program.length / 8 && steps < 10_000; steps += 1) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    pc += 1;
    switch (code) {
      case 0x20:
        acc = data.readUInt32LE(k);
        break;
      case 0x15:
        pc += acc === k ? jt : jf;
        break;
      case 0x35:
        pc += acc >= k ? jt : jf;
        break;
      case 0x45:
        pc += (acc & k) !== 0 ? jt : jf;
        break;
      case 0x06:
        return k;
      default:
        throw new Error(`unexpected opcode ${code}`);
    }
  }
  throw new Error('the program fell off its end');
}

describe('seccomp filter', () => {
  for (const arch of ['x86_64', 'aarch64'] as const) {
    it(`${arch}: every syscall number matches the kernel headers`, (t) => {
      if (!existsSync(HEADERS[arch])) {
        t.skip(`${HEADERS[arch]} is not installed (Debian's linux-libc-dev)`);
        return;
      }
      const headers = headerNumbers(HEADERS[arch]);
      for (const [name, nr] of Object.entries(SYSCALL_NUMBERS[arch])) {
        assert.equal(headers.get(name), nr, `${arch} ${name}`);
      }
      // A denied syscall missing from the table must not exist on that architecture.
      for (const { name } of SECCOMP_DENYLIST) {
        if (SYSCALL_NUMBERS[arch][name] === undefined)
          assert.equal(headers.get(name), undefined, name);
      }
    });

    it(`${arch}: denies the list, checks the arch, filters clone, ioctl and sockets`, () => {
      const nums = SYSCALL_NUMBERS[arch];
      const none = compileSeccompFilter({ arch, net: 'none' });
      const loopback = compileSeccompFilter({ arch, net: 'loopback' });
      for (const { name } of SECCOMP_DENYLIST) {
        const nr = nums[name];
        if (nr === undefined) continue;
        assert.equal(runFilter(none, nr, ARCH[arch]), errno(1), name);
        assert.equal(runFilter(loopback, nr, ARCH[arch]), errno(1), name);
      }
      // Everything not listed is allowed: read, write, openat, mmap, futex ...
      for (const nr of [0, 1, 2, 9, 63, 64, 202, 257]) {
        if (Object.values(nums).includes(nr)) continue;
        assert.equal(runFilter(none, nr, ARCH[arch]), ALLOW, String(nr));
      }
      // Another architecture's calls (int 0x80, a compat task) are killed.
      const other = arch === 'x86_64' ? ARCH.aarch64 : ARCH.x86_64;
      assert.equal(runFilter(none, 0, other), KILL);
      assert.equal(runFilter(none, 0, 0x40000003), KILL);
      if (arch === 'x86_64') assert.equal(runFilter(none, 0x40000000 | 39, ARCH[arch]), errno(1));
      assert.equal(runFilter(none, nums.clone3 ?? -1, ARCH[arch]), errno(38));
      const clone = nums.clone ?? -1;
      // A thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID).
      assert.equal(runFilter(none, clone, ARCH[arch], [0x3d0f00]), ALLOW);
      assert.equal(runFilter(none, clone, ARCH[arch], [17]), ALLOW);
      for (const flag of [
        0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000,
      ]) {
        assert.equal(runFilter(none, clone, ARCH[arch], [17 | flag]), errno(1), flag.toString(16));
      }
      const ioctl = nums.ioctl ?? -1;
      assert.equal(runFilter(none, ioctl, ARCH[arch], [0, 0x5412]), errno(1));
      assert.equal(runFilter(none, ioctl, ARCH[arch], [0, 0x541c]), errno(1));
      assert.equal(runFilter(none, ioctl, ARCH[arch], [0, 0x5401]), ALLOW);
      const socket = nums.socket ?? -1;
      const socketpair = nums.socketpair ?? -1;
      assert.equal(runFilter(none, socket, ARCH[arch], [1]), ALLOW);
      assert.equal(runFilter(none, socketpair, ARCH[arch], [1]), ALLOW);
      for (const family of [2, 10, 16, 17]) {
        assert.equal(runFilter(none, socket, ARCH[arch], [family]), errno(1), String(family));
        assert.equal(runFilter(loopback, socket, ARCH[arch], [family]), ALLOW, String(family));
      }
    });
  }
});
