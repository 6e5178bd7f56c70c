import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locateJson } from '../../src/github/located-json.js';
import { classifyAsset } from '../../src/rules/repo/release-binary-assets.js';

describe('locateJson', () => {
  it('renders like JSON.stringify(value, null, 2) and locates members from their key', () => {
    const value = { a: 1, b: { c: [true, { d: 'x/y' }] }, 'e/f': null, g: [], h: {} };
    const doc = locateJson(value);
    assert.equal(doc.text, JSON.stringify(value, null, 2));
    const at = (path: (string | number)[]): string => {
      const span = doc.span(path);
      return doc.text.slice(span.start, span.end);
    };
    assert.equal(at(['a']), '"a": 1');
    assert.equal(at(['b', 'c', 0]), 'true');
    assert.equal(at(['b', 'c', 1, 'd']), '"d": "x/y"');
    assert.equal(at(['e/f']), '"e/f": null');
    // An absent member falls back to its nearest present parent, then to the whole document.
    assert.equal(at(['b', 'missing']), at(['b']));
    assert.equal(at(['nothing']), doc.text);
  });

  it('cuts nesting deeper than its bound instead of recursing', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const doc = locateJson(deep);
    assert.ok(doc.text.includes('"…"'));
    assert.ok(doc.text.length < 10_000);
  });
});

describe('release asset classification', () => {
  it('tells binaries and built archives from sources, checksums and signatures', () => {
    assert.equal(classifyAsset('torch-2.5.0-cp312-cp312-manylinux_2_28_x86_64.whl'), 'binary');
    assert.equal(classifyAsset('tool.exe'), 'binary');
    assert.equal(classifyAsset('libfoo.so.1.2'), 'binary');
    assert.equal(classifyAsset('model.safetensors'), 'binary');
    assert.equal(classifyAsset('tool-1.0-linux-x86_64.tar.gz'), 'archive');
    assert.equal(classifyAsset('libtorch-cu121-2.5.0.zip'), 'archive');
    assert.equal(classifyAsset('build.zip'), 'archive');
    assert.equal(classifyAsset('pytorch-v2.5.0.tar.gz'), undefined);
    assert.equal(classifyAsset('torch-2.5.0.tar.gz'), undefined);
    assert.equal(classifyAsset('project-src.zip'), undefined);
    assert.equal(classifyAsset('SHA256SUMS.txt'), undefined);
    assert.equal(classifyAsset('torch-2.5.0.tar.gz.sig'), undefined);
    assert.equal(classifyAsset('provenance.intoto.jsonl'), undefined);
  });
});
