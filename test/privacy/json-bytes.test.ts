import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  JsonRecordScanner,
  RECORD_BLANK,
  RECORD_INVALID,
  RECORD_KEYWORD,
  RECORD_OK,
  RECORD_UNSURE,
} from '../../src/privacy/json-bytes.js';
import { KeywordSearch } from '../../src/privacy/keywords.js';
import { inertValue, walkJson } from '../../src/privacy/records.js';
import { defaultSecretRules } from '../../src/privacy/secrets.js';
import { scanShippedAndReference } from '../helpers/privacy-paths.js';
import { fuzzRuns } from '../helpers/issue4-fixtures.js';

const KEYWORDS = defaultSecretRules().keywords;
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * What JSON.parse and walkJson make of one record's bytes (decoded as the reader decodes them):
 * blank (JSON whitespace only), invalid (JSON.parse throws), or the values.
 */
function reference(
  bytes: Uint8Array,
):
  | { kind: 'blank' | 'invalid' }
  | { kind: 'ok'; keyword: boolean; values: { text: string; column: string }[]; inert: number } {
  const text = utf8.decode(bytes);
  if (/^[ \t\r\n]*$/.test(text)) return { kind: 'blank' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'invalid' };
  }
  const values: { text: string; column: string }[] = [];
  let inert = 0;
  walkJson(
    parsed,
    (v, column) => {
      if (inertValue(v)) inert++;
      else values.push({ text: typeof v === 'string' ? v : String(v), column });
    },
    () => values.push({ text: '(too deep)', column: '' }),
  );
  return { kind: 'ok', keyword: KEYWORDS.any(text), values, inert };
}

/**
 * Checks the scanner's verdict on `bytes` (placed inside other bytes, so a read past the record
 * shows) against JSON.parse and walkJson. Returns the verdict.
 */
function check(bytes: Uint8Array, before: Uint8Array, after: Uint8Array): number {
  const scanner = new JsonRecordScanner(inertValue, KEYWORDS);
  const b = Buffer.concat([before, bytes, after]);
  const verdict = scanner.scan(b, before.length, before.length + bytes.length);
  const ref = reference(bytes);
  const text = utf8.decode(bytes);
  const shown = JSON.stringify(text);
  switch (verdict) {
    case RECORD_BLANK:
      // Only JSON whitespace (a line of U+00A0 is blank to trim() but goes to the text path).
      assert.match(text, /^[ \t\r\n]*$/, shown);
      break;
    case RECORD_INVALID:
      assert.equal(ref.kind, 'invalid', shown);
      break;
    case RECORD_KEYWORD:
      // A keyword, or U+212A / U+0130: the text path decides; the record has one of them.
      assert.ok(KEYWORDS.any(text) || /[\u212A\u0130]/.test(text), shown);
      break;
    case RECORD_OK:
      assert.equal(ref.kind, 'ok', shown);
      if (ref.kind === 'ok') {
        assert.equal(ref.keyword, false, shown);
        assert.deepEqual(
          { values: scanner.values, inert: scanner.inert },
          {
            values: ref.values,
            inert: ref.inert,
          },
          shown,
        );
      }
      break;
    case RECORD_UNSURE:
      // Left to JSON.parse: no claim.
      break;
  }
  // A keyword-free valid record is never left unsettled without one of UNSURE's reasons.
  if (ref.kind === 'ok' && !ref.keyword && verdict === RECORD_KEYWORD)
    assert.match(text, /[\u212A\u0130]/, shown);
  if (ref.kind === 'invalid' && verdict !== RECORD_UNSURE && verdict !== RECORD_KEYWORD)
    assert.equal(verdict, RECORD_INVALID, shown);
  return verdict;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

// Pieces of JSON records, valid and not: every token, whitespace JSON has and has not, escapes
// (lone surrogates included), numbers at the edges of the grammar and of inertValue, invalid
// UTF-8, a byte order mark, U+212A and U+0130, keywords, duplicate and index keys.
const PIECES: readonly (string | Uint8Array)[] = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  ' ',
  '\t',
  '\r',
  '\n',
  '\v',
  '\f',
  '\u00a0',
  '\ufeff',
  'true',
  'false',
  'null',
  'tru',
  'nul',
  'TRUE',
  '0',
  '-0',
  '01',
  '1.',
  '.5',
  '1e',
  '1e+',
  '1E-7',
  '12345678',
  '123456789',
  '-99999999',
  '-100000000',
  '1.5',
  '4.6e8',
  '1e400',
  '-',
  '+1',
  '0x1',
  '"a"',
  '"b"',
  '"2"',
  '"01"',
  '""',
  '"a\\u0062"',
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"\\u00e9"',
  '"\\u0000"',
  '"\\u212a"',
  '"\\x"',
  '"\\u12"',
  '"\\/"',
  '"\\b\\f\\n\\r\\t"',
  '"é"',
  '"\u2028"',
  '"call 943 476 5919"',
  '"mail a@b.de"',
  '"12345678"',
  '"-1234"',
  '"- 1"',
  '"x\u212Aey"',
  '"\u0130"',
  '"key"',
  '"sk"',
  '"token"',
  '"plain words"',
  '"aws AKIALALEMEL33243OLIA"',
  '"a":',
  '"b":',
  '"2":',
  '"__proto__":',
  '"k\\u0065y":',
  '"é":',
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xe2, 0x84]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0xef, 0xbb, 0xbf]),
  new Uint8Array([0x00]),
  new Uint8Array([0x1f]),
  new Uint8Array([0x7f]),
  new Uint8Array([0xc4, 0xb0]),
];
const piece = fc.constantFrom(...PIECES).map((p) => (typeof p === 'string' ? enc(p) : p));
const join2 = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

describe('JsonRecordScanner', () => {
  it('accepts and rejects as JSON.parse does, and picks the values walkJson picks', () => {
    const counts = new Map<number, number>();
    const count = (v: number): void => {
      counts.set(v, (counts.get(v) ?? 0) + 1);
    };
    const around = fc.constantFrom(
      ...['', '"', ']', '}', '0', 'e', ',"x"]', '\\u', ' ', 'A'].map(enc),
    );
    // Valid records: fast-check's JSON, with its strings in every Unicode range.
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), around, around, (json, a, z) => {
        count(check(enc(json), a, z));
      }),
      { seed: 18, numRuns: fuzzRuns(1500) },
    );
    fc.assert(
      fc.property(
        fc.jsonValue({ depthSize: 'small' }),
        fc.constantFrom(' ', '\t', '\r\n', ''),
        around,
        around,
        (value, ws, a, z) => {
          const text = JSON.stringify(value, null, ws === '' ? undefined : ws);
          if (text !== undefined) count(check(enc(text), a, z));
        },
      ),
      { seed: 19, numRuns: fuzzRuns(1500) },
    );
    // Near misses: valid records with a piece inserted, replaced or removed; and piece soup.
    fc.assert(
      fc.property(
        fc.json({ depthSize: 'small' }),
        fc.nat(),
        fc.nat(3),
        piece,
        around,
        around,
        (json, at, cut, p, a, z) => {
          const bytes = enc(json);
          const k = at % (bytes.length + 1);
          count(check(join2([bytes.subarray(0, k), p, bytes.subarray(k + cut)]), a, z));
        },
      ),
      { seed: 20, numRuns: fuzzRuns(3000) },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), around, around, (parts, a, z) => {
        count(check(join2(parts), a, z));
      }),
      { seed: 21, numRuns: fuzzRuns(4000) },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), around, around, (bytes, a, z) => {
        count(check(bytes, a, z));
      }),
      { seed: 22, numRuns: fuzzRuns(1000) },
    );
    // The properties reach every verdict, most records being settled without JSON.parse.
    for (const v of [RECORD_OK, RECORD_BLANK, RECORD_INVALID, RECORD_UNSURE, RECORD_KEYWORD])
      assert.ok((counts.get(v) ?? 0) > 20, `${v}: ${JSON.stringify([...counts])}`);
    assert.ok((counts.get(RECORD_OK) ?? 0) > (counts.get(RECORD_UNSURE) ?? 0));
  });

  it('leaves to JSON.parse what only it settles, and finds keywords across tokens', () => {
    const scan = (s: string | Uint8Array): number =>
      new JsonRecordScanner(inertValue, KEYWORDS).scan(
        Buffer.from(typeof s === 'string' ? enc(s) : s),
        0,
        typeof s === 'string' ? enc(s).length : s.length,
      );
    assert.equal(scan('{"a":"x","a":"y"}'), RECORD_UNSURE); // last value wins, first place
    assert.equal(scan('{"b":"x","1":"y"}'), RECORD_UNSURE); // index keys enumerate first
    assert.equal(scan('{"\\u0061":"x"}'), RECORD_UNSURE);
    assert.equal(scan(`${'['.repeat(65)}${']'.repeat(65)}`), RECORD_UNSURE);
    assert.equal(scan(`${'['.repeat(64)}${']'.repeat(64)}`), RECORD_OK);
    assert.equal(scan(`{"a":[{"b":1}],"b":{"a":2}}`), RECORD_OK); // keys are per object
    assert.equal(scan('{"api_key":"x"}'), RECORD_KEYWORD); // in a key
    assert.equal(scan('{"a":"s","b":1}'), RECORD_OK);
    assert.equal(scan('{"a":"\\u0073k"}'), RECORD_OK); // the search sees the raw line, as before
    assert.equal(scan('{"a":"\u212Aey"}'), RECORD_KEYWORD);
    assert.equal(scan('["x", "\u0130"]'), RECORD_KEYWORD);
    assert.equal(scan('\ufeff{}'), RECORD_INVALID); // a BOM inside the file is not whitespace
    assert.equal(scan(' \t\r'), RECORD_BLANK);
    // With no secret rules, no record has a keyword.
    const plain = new JsonRecordScanner(inertValue, null);
    const b = Buffer.from('{"api_key":"a@b.de"}');
    assert.equal(plain.scan(b, 0, b.length), RECORD_OK);
    assert.deepEqual(plain.values, [{ text: 'a@b.de', column: 'api_key' }]);
    assert.equal(new KeywordSearch(['ab']).table.length % 128, 0);
  });
});

describe('JSONL read as bytes', () => {
  // Records of every kind, as a file: chunk boundaries (1 MiB reads; 16 KiB gzip pieces), CRLF,
  // a byte order mark, blank and invalid lines, a line longer than a window in the middle and
  // at the end without a line break.
  function corpus(): Buffer {
    const lines: (string | Uint8Array)[] = [];
    let seed = 18;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
    const texts = [
      'mail me at user{}@mailbox.org',
      'card 4454 7945 1139 0933',
      'call +1-984-182-{}',
      'aws_key = AKIALALEMEL33243OLIA',
      'ssn 460-89-9847 and more',
      'plain words only',
      'caf\u00e9 \u212Aey',
      'ip 10.0.{}.1',
      '\\u0000 binary',
      'token: abc123def456ghi789jkl',
    ];
    for (let i = 0; i < 20_000; i++) {
      const r = next();
      const t = (texts[r % texts.length] ?? '').replace('{}', String(i));
      const k = (r >>> 8) % 40;
      if (k === 0) lines.push('');
      else if (k === 1)
        lines.push(`{"id":${i},"text":"${t}"`); // cut short
      else if (k === 2) lines.push(`  {"id":${i}, "n":[${i * 1e7}, -${i}, 0.5e1]}\r`);
      else if (k === 3)
        lines.push(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
      else if (k === 4) lines.push(`{"a":"x","a":"${t}","2":{"b":"${t}"}}`);
      else lines.push(`{"id":${i},"role":"user","text":"${t}","meta":{"source":"web","n":${r}}}`);
      if (i === 10_000)
        lines.push(
          `{"long":"${'lorem ipsum dolor '.repeat(70_000)} 460-89-9847 ${'sit amet '.repeat(9000)}"}`,
        );
    }
    const parts = [Buffer.from([0xef, 0xbb, 0xbf])];
    for (const l of lines) parts.push(Buffer.from(l), Buffer.from('\n'));
    parts.push(Buffer.from(`{"tail":"${'lorem '.repeat(200_000)} x@y.de}\r`));
    return Buffer.concat(parts);
  }

  it('finds, counts and reports exactly what the value-by-value reference does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-json-bytes-'));
    const bytes = corpus();
    const plain = join(dir, 'records.jsonl');
    const gz = join(dir, 'records.jsonl.gz');
    writeFileSync(plain, bytes);
    writeFileSync(gz, gzipSync(bytes));
    for (const path of [plain, gz]) {
      const { fast, slow } = await scanShippedAndReference(path);
      assert.deepEqual(fast, slow);
      assert.ok(slow.totalHits > 5_000, String(slow.totalHits));
      const codes = new Set(slow.problems.map((p) => p.code));
      for (const c of ['BAD_JSON', 'LIMIT_EXCEEDED', 'BINARY_VALUE']) assert.ok(codes.has(c), c);
    }
  });
});
