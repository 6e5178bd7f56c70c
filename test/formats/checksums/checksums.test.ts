import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  formatChecksumLine,
  parseChecksumList,
  parseLfsPointer,
} from '../../../src/formats/checksums/index.js';

const HEX = 'a'.repeat(64);

describe('checksum lists and LFS pointers', () => {
  it('parses GNU text and binary lines, BSD tag lines, and counts junk', () => {
    const parsed = parseChecksumList(
      `${HEX}  a.bin\n${'B'.repeat(64)} *dir/b c.bin\r\nSHA256 (x (1).pt) = ${'c'.repeat(64)}\n\nnot a line\n`,
    );
    assert.deepEqual(parsed.entries, [
      { path: 'a.bin', digest: HEX, line: 1 },
      { path: 'dir/b c.bin', digest: 'b'.repeat(64), line: 2 },
      { path: 'x (1).pt', digest: 'c'.repeat(64), line: 3 },
    ]);
    assert.equal(parsed.bad, 1);
  });

  it('escapes names with backslash or newline exactly as coreutils sha256sum does', () => {
    const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    const name = 'we\\ird\nname';
    spawnSync('/usr/bin/python3', [
      '-c',
      'import sys; open(sys.argv[1], "w").write("x")',
      `${dir}/${name}`,
    ]);
    const coreutils = spawnSync('sha256sum', [name], { cwd: dir, encoding: 'utf8' }).stdout;
    const digest = coreutils.slice(1, 65);
    assert.equal(formatChecksumLine(digest, name), coreutils);
    assert.deepEqual(parseChecksumList(coreutils).entries, [{ path: name, digest, line: 1 }]);
  });

  it('reads Git LFS pointers and rejects other text', () => {
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${HEX}\nsize 1234\n`;
    assert.deepEqual(parseLfsPointer(pointer), { oid: HEX, size: 1234 });
    assert.equal(parseLfsPointer(`${HEX}  a.bin\n`), undefined);
    assert.equal(
      parseLfsPointer('version https://git-lfs.github.com/spec/v1\nsize 3\n'),
      undefined,
    );
    assert.equal(parseLfsPointer(`${pointer}${'x'.repeat(2000)}`), undefined);
  });
});
