import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstString, TraceCollector } from '../../src/sandbox/trace.js';

// The strace summary on literal strace 6.1 output (-f -qq -y, lines as strace writes them).

const scope = {
  inputs: ['/data/in'],
  output: '/data/out',
  home: '/home/alice',
  launcher: '/usr/bin/prlimit',
};

function collect(lines: string[]): ReturnType<TraceCollector['summary']> {
  const c = new TraceCollector(scope);
  for (const line of lines) c.push(line);
  return c.summary();
}

describe('TraceCollector', () => {
  it("skips bubblewrap's own setup and classifies the command's attempts", () => {
    const s = collect([
      '100 execve("/usr/bin/bwrap", ["bwrap"], 0x7ffe /* 3 vars */) = 0',
      '101 mount(NULL, "/", NULL, MS_REC|MS_SILENT|MS_SLAVE, NULL) = 0',
      '101 openat(AT_FDCWD</>, "/etc/passwd", O_WRONLY) = 3</etc/passwd>',
      '102 execve("/usr/bin/prlimit", ["prlimit"], 0x7ffe /* 3 vars */) = 0',
      '102 execve("/usr/bin/python3", ["python3"], 0x7ffe /* 3 vars */) = 0',
      '102 openat(AT_FDCWD</data/out>, "/usr/lib/python3.11/os.py", O_RDONLY|O_CLOEXEC) = 3</usr/lib/python3.11/os.py>',
      '102 openat(AT_FDCWD</data/out>, "result.bin", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</data/out/result.bin>',
      '102 openat(AT_FDCWD</data/out>, "/data/in/model.pt", O_RDONLY) = 4</data/in/model.pt>',
      '102 openat(AT_FDCWD</data/out>, "/home/alice/.ssh/id_rsa", O_RDONLY) = -1 ENOENT (No such file or directory)',
      '102 openat(AT_FDCWD</data/out>, "/srv/other", O_RDONLY) = -1 EACCES (Permission denied)',
      '102 openat(AT_FDCWD</data/out>, "/tmp/home/.aws/credentials", O_RDONLY) = -1 ENOENT (No such file or directory)',
      '102 openat(AT_FDCWD</data/out>, "/work/MARKER", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = -1 EROFS (Read-only file system)',
      '102 openat(3</usr>, "../work/rel", O_RDWR) = -1 EROFS (Read-only file system)',
      '102 mkdir("/opt/x", 0777) = -1 EROFS (Read-only file system)',
      '102 unlinkat(AT_FDCWD</data/out>, "tmpfile", 0) = 0',
      '102 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = -1 EPERM (Operation not permitted)',
      '102 socket(AF_UNIX, SOCK_STREAM, 0) = 5<socket:[1]>',
      '102 connect(5<socket:[1]>, {sa_family=AF_UNIX, sun_path="/var/run/docker.sock"}, 110) = -1 ENOENT (No such file or directory)',
      '102 connect(3<socket:[9]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ECONNREFUSED (Connection refused)',
      '102 sendto(6<socket:[2]>, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, 16) = -1 ENETUNREACH (Network is unreachable)',
      '102 ptrace(PTRACE_TRACEME) = -1 EPERM (Operation not permitted)',
      '102 clone(child_stack=NULL, flags=CLONE_NEWUSER|SIGCHLD) = -1 EPERM (Operation not permitted)',
      '102 mmap(NULL, 10737422336, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)',
      '102 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>',
      '103 openat(AT_FDCWD</data/out>, "/root/.netrc", O_RDONLY <unfinished ...>',
      '102 <... clone resumed>, child_tidptr=0x7f) = -1 EAGAIN (Resource temporarily unavailable)',
      '103 <... openat resumed>) = -1 ENOENT (No such file or directory)',
    ]);
    assert.deepEqual(
      s.readsOutside.map((r) => `${r.target} ${r.result}`),
      [
        '/home/alice/.ssh/id_rsa ENOENT',
        '/srv/other EACCES',
        '/tmp/home/.aws/credentials ENOENT',
        '/root/.netrc ENOENT',
      ],
    );
    assert.deepEqual(
      s.writesOutside.map((w) => `${w.syscall} ${w.target} ${w.result}`),
      ['openat /work/MARKER EROFS', 'openat /work/rel EROFS', 'mkdir /opt/x EROFS'],
    );
    assert.deepEqual(
      s.network.map((n) => `${n.syscall} ${n.target} ${n.result}`),
      [
        'socket AF_INET SOCK_STREAM EPERM',
        'connect unix:/var/run/docker.sock ENOENT',
        'connect [::1]:443 ECONNREFUSED',
        'sendto 8.8.8.8:53 ENETUNREACH',
      ],
    );
    assert.deepEqual(
      s.deniedSyscalls.map((d) => `${d.syscall} ${d.result}`),
      ['ptrace EPERM', 'clone EPERM'],
    );
    assert.deepEqual(
      s.executed.map((e) => e.target),
      ['/usr/bin/python3'],
    );
    assert.equal(s.memoryFailures, 1);
    assert.equal(s.processFailures, 1);
  });

  it('counts repeats and caps distinct items', () => {
    const lines = ['1 execve("/usr/bin/prlimit", ["prlimit"], 0x0 /* 0 vars */) = 0'];
    for (let i = 0; i < 3; i += 1) {
      lines.push(
        '1 openat(AT_FDCWD</>, "/srv/a", O_RDONLY) = -1 ENOENT (No such file or directory)',
      );
    }
    for (let i = 0; i < 300; i += 1) {
      lines.push(
        `1 openat(AT_FDCWD</>, "/srv/f${i}", O_RDONLY) = -1 ENOENT (No such file or directory)`,
      );
    }
    const s = collect(lines);
    assert.equal(s.readsOutside[0]?.count, 3);
    assert.equal(s.readsOutside.length, 200);
    assert.equal(s.dropped, 101);
  });

  it('decodes C string escapes and ignores lines it does not know', () => {
    assert.equal(firstString('AT_FDCWD, "a\\"b\\\\c\\n\\x41\\101\\303\\251"'), 'a"b\\c\nAAé');
    assert.equal(firstString('no string here'), undefined);
    assert.equal(firstString('"unterminated'), undefined);
    const s = collect([
      'garbage',
      '1 --- SIGCHLD {si_signo=SIGCHLD} ---',
      '1 +++ exited with 0 +++',
    ]);
    assert.equal(s.lines, 3);
    assert.deepEqual(s.readsOutside, []);
  });
});
