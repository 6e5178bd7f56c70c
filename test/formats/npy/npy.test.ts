import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { parseNpyHeader, parsePyLiteral, readNpyHeader } from '../../../src/formats/npy/index.js';

const dir = (kind: string): string => join('test', 'fixtures', 'npy', kind);
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'npy', path)));

/** numpy's own reading of each file's header: shape, fortran order, data offset, hasobject, itemsize. */
function numpyView(paths: string[]): unknown[] {
  const script = `
import json, sys
from numpy.lib import format as f
out = []
for p in sys.argv[1:]:
    with open(p, 'rb') as fh:
        v = f.read_magic(fh)
        shape, fortran, dtype = f._read_array_header(fh, v)
        out.append([list(shape), fortran, fh.tell(), bool(dtype.hasobject), dtype.itemsize])
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

describe('.npy header parser (numpy 1.24 writer, numpy as the oracle)', () => {
  it('agrees with numpy on every ok and evil fixture', async () => {
    const paths = ['ok', 'evil'].flatMap((k) =>
      readdirSync(dir(k))
        .filter((n) => n.endsWith('.npy'))
        .map((n) => join(dir(k), n)),
    );
    const expected = numpyView(paths);
    const actual = await Promise.all(
      paths.map(async (p) => {
        const h = await readNpyHeader(new MemorySource(new Uint8Array(readFileSync(p))));
        return [h.shape, h.fortranOrder, h.dataOffset, h.hasObject, h.descr.itemSize];
      }),
    );
    assert.deepEqual(actual, expected);
  });

  it('reports sizes, object dtypes and trailing bytes', () => {
    const h = parseNpyHeader(fixture('ok/int32.npy'));
    assert.deepEqual(h.version, [1, 0]);
    assert.equal(h.dataBytes, 48);
    assert.equal(h.trailingBytes, 0);
    assert.equal(h.descr.kind === 'scalar' ? h.descr.typestr : '', '<i4');
    const o = parseNpyHeader(fixture('evil/structured-object.npy'));
    assert.equal(o.hasObject, true);
    assert.equal(o.dataBytes, undefined);
    const withTail = Uint8Array.from([...fixture('ok/int32.npy'), 1, 2, 3]);
    assert.equal(parseNpyHeader(withTail).trailingBytes, 3);
    assert.deepEqual(parseNpyHeader(fixture('ok/v3-unicode-field.npy')).descr, {
      kind: 'struct',
      fields: [
        {
          name: '\u00e9t\u00e9',
          dtype: { kind: 'scalar', typestr: '<i4', type: 'i', itemSize: 4 },
          shape: [],
        },
      ],
      itemSize: 4,
    });
  });

  it('never evaluates: a call in the header is a syntax error', () => {
    assert.throws(() => parseNpyHeader(fixture('bad/header-call.npy')), { code: 'BAD_STRUCTURE' });
  });

  it('parses the Python literal subset exactly', () => {
    assert.deepEqual(parsePyLiteral('(1,)'), {
      kind: 'tuple',
      items: [{ kind: 'int', value: 1n, at: 1 }],
      at: 0,
    });
    assert.deepEqual(parsePyLiteral('(7)'), { kind: 'int', value: 7n, at: 1 });
    assert.deepEqual(parsePyLiteral('- 1_000'), { kind: 'int', value: -1000n, at: 0 });
    assert.deepEqual(parsePyLiteral(`'a\\'\\x41\\u00e9"'`), {
      kind: 'str',
      value: `a'A\u00e9"`,
      at: 0,
    });
    assert.deepEqual(parsePyLiteral('[None, True, False]'), {
      kind: 'list',
      items: [
        { kind: 'none', at: 1 },
        { kind: 'bool', value: true, at: 7 },
        { kind: 'bool', value: false, at: 13 },
      ],
      at: 0,
    });
    for (const bad of [
      'Truex',
      '01',
      '1.5',
      '1L',
      'x',
      '{1: 2}',
      "{'a': 1, 'a': 2}",
      '(1 2)',
      "'abc",
      "'\\q'",
      "'a\nb'",
      '__import__("os")',
      '{} 1',
      '1_',
      "'\\xZZ'",
      '[1 2]',
      "{'a' 1}",
      '+',
    ]) {
      assert.throws(() => parsePyLiteral(bad), { code: 'BAD_STRUCTURE' }, bad);
    }
    assert.throws(() => parsePyLiteral('('.repeat(40) + ')'.repeat(40)), {
      code: 'LIMIT_EXCEEDED',
    });
  });
});
