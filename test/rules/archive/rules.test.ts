import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArchiveAnomaly, ArchiveModel } from '../../../src/formats/zip/index.js';
import { type Rule } from '../../../src/rules/define-rule.js';
import { runRules } from '../../helpers/run-rules.js';
import crcMismatch from '../../../src/rules/archive/crc-mismatch.js';
import duplicateName from '../../../src/rules/archive/duplicate-name.js';
import encryptedMember from '../../../src/rules/archive/encrypted-member.js';
import nameMismatch from '../../../src/rules/archive/name-mismatch.js';
import nativeCode from '../../../src/rules/archive/native-code.js';
import pathTraversal from '../../../src/rules/archive/path-traversal.js';
import sizeMismatch from '../../../src/rules/archive/size-mismatch.js';
import specialMember from '../../../src/rules/archive/special-member.js';
import unsupportedMethod from '../../../src/rules/archive/unsupported-method.js';
import zipFlagBits from '../../../src/rules/archive/zip-flag-bits.js';

/** [messageId, verdict, span start, path] of each finding of `rule` over `anomalies`. */
function run(rule: Rule<ArchiveModel>, anomalies: ArchiveAnomaly[]): unknown[] {
  const model: ArchiveModel = {
    container: 'zip',
    members: anomalies.map((a) => a.member),
    anomalies,
  };
  return runRules([rule], model, { uri: 'm.pt', unit: 'byte', options: {} }, (id) => {
    throw new Error(id);
  }).map((f) => [f.messageId, f.verdict, f.primary.span.start, f.primary.path]);
}

const A = (kind: ArchiveAnomaly['kind'], member: string, offset: number): ArchiveAnomaly => ({
  kind,
  member,
  offset,
  detail: 'd',
});

// Each rule reports its own anomaly kind and ignores every other kind.
const ALL_KINDS: ArchiveAnomaly[] = [
  A('crc-mismatch', 'a/data.pkl', 100),
  A('duplicate-name', 'a/data.pkl', 200),
  A('encrypted', 'a/data.pkl', 300),
  A('flag-bits', 'a/data.pkl', 400),
  A('name-mismatch', 'a/data.pkl', 0),
  A('path-traversal', '../x', 500),
  A('size-mismatch', 'a/version', 600),
  A('unsupported-method', 'b.bin', 700),
  A('special-member', 'link', 800),
  A('native-code', 'm/model.so', 900),
];

describe('archive rules: valid (no anomalies) and invalid (each kind) tables', () => {
  it('archive/crc-mismatch', () => {
    assert.deepEqual(run(crcMismatch, []), []);
    assert.deepEqual(run(crcMismatch, ALL_KINDS), [['crc', 'suspicious', 100, ['a/data.pkl']]]);
  });
  it('archive/duplicate-name', () => {
    assert.deepEqual(run(duplicateName, []), []);
    assert.deepEqual(run(duplicateName, ALL_KINDS), [
      ['duplicate', 'invalid', 200, ['a/data.pkl']],
    ]);
  });
  it('archive/encrypted-member', () => {
    assert.deepEqual(run(encryptedMember, []), []);
    assert.deepEqual(run(encryptedMember, ALL_KINDS), [
      ['encrypted', 'suspicious', 300, ['a/data.pkl']],
    ]);
  });
  it('archive/zip-flag-bits', () => {
    assert.deepEqual(run(zipFlagBits, []), []);
    assert.deepEqual(run(zipFlagBits, ALL_KINDS), [['flags', 'suspicious', 400, ['a/data.pkl']]]);
  });
  it('archive/name-mismatch', () => {
    assert.deepEqual(run(nameMismatch, []), []);
    assert.deepEqual(run(nameMismatch, ALL_KINDS), [['mismatch', 'suspicious', 0, ['a/data.pkl']]]);
  });
  it('archive/path-traversal', () => {
    assert.deepEqual(run(pathTraversal, []), []);
    assert.deepEqual(run(pathTraversal, ALL_KINDS), [['traversal', 'suspicious', 500, ['../x']]]);
  });
  it('archive/size-mismatch', () => {
    assert.deepEqual(run(sizeMismatch, []), []);
    assert.deepEqual(run(sizeMismatch, ALL_KINDS), [['size', 'suspicious', 600, ['a/version']]]);
  });
  it('archive/unsupported-method', () => {
    assert.deepEqual(run(unsupportedMethod, []), []);
    assert.deepEqual(run(unsupportedMethod, ALL_KINDS), [['method', 'suspicious', 700, ['b.bin']]]);
  });
  it('archive/special-member', () => {
    assert.deepEqual(run(specialMember, []), []);
    assert.deepEqual(run(specialMember, ALL_KINDS), [['special', 'suspicious', 800, ['link']]]);
  });
  it('archive/native-code', () => {
    assert.deepEqual(run(nativeCode, []), []);
    assert.deepEqual(run(nativeCode, ALL_KINDS), [['native', 'suspicious', 900, ['m/model.so']]]);
  });
});
