import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormatError } from '../../../src/core/errors.js';
import { decodePythonSource } from '../../../src/formats/python/source.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return error instanceof FormatError ? error.code : 'other';
  }
};

describe('decodePythonSource', () => {
  it('reads a PEP 263 declaration on the first or second line only', () => {
    assert.equal(
      decodePythonSource(bytes('# -*- coding: latin-1 -*-\nx = "caf\xe9"\n')),
      '# -*- coding: latin-1 -*-\nx = "café"\n',
    );
    assert.equal(
      decodePythonSource(
        bytes('#!/usr/bin/env python\n  \f# vim: set fileencoding=iso-8859-1 :\ns = "\xe9"\n'),
      ).endsWith('s = "é"\n'),
      true,
    );
    // Third line: too late, so the text is UTF-8, where a lone 0xE9 is invalid.
    assert.equal(
      code(() => decodePythonSource(bytes('\n\n# coding: latin-1\ns = "\xe9"\n'))),
      'BAD_UTF8',
    );
    // Not a comment: no declaration.
    assert.equal(
      code(() => decodePythonSource(bytes('x = 1  # coding: latin-1\ns = "\xe9"\n'))),
      'BAD_UTF8',
    );
    assert.equal(
      code(() => decodePythonSource(bytes('# coding: no-such-codec\n'))),
      'BAD_UTF8',
    );
  });

  it('decodes UTF-8 (a BOM dropped) and refuses NUL bytes', () => {
    assert.equal(
      decodePythonSource(new Uint8Array(Buffer.from('\ufeffimport torch\n'))),
      'import torch\n',
    );
    assert.equal(
      decodePythonSource(new Uint8Array(Buffer.from('# coding: utf-8\nx = "é"\n'))),
      '# coding: utf-8\nx = "é"\n',
    );
    assert.equal(
      decodePythonSource(new Uint8Array(Buffer.from('"""doc"""\nx = "é"\n'))),
      '"""doc"""\nx = "é"\n',
    );
    assert.equal(
      code(() => decodePythonSource(bytes('x = 1\x00\n'))),
      'BAD_VALUE',
    );
    // The same encoding twice (its decoder is kept): still fatal on bad bytes.
    assert.equal(
      code(() => decodePythonSource(bytes('s = "\xff"\n'))),
      'BAD_UTF8',
    );
    assert.equal(
      code(() => decodePythonSource(bytes('s = "\xff"\n'))),
      'BAD_UTF8',
    );
  });
});
