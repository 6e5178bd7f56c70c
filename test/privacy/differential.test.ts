import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { noRecognizerCanMatch, PrivacyDetector } from '../../src/privacy/detect.js';
import { RECOGNIZERS } from '../../src/privacy/recognizers.js';
import {
  defaultSecretRules,
  findSecrets,
  SEARCH_HINTS,
  selectRules,
  type SecretMatch,
} from '../../src/privacy/secrets.js';
import { scanShippedAndReference } from '../helpers/privacy-paths.js';

// The corpus of test/fixtures/make/privacy-detect-baseline.mjs, built the same way: the hits it
// saved came from the straightforward detector before the throughput work.
function corpus(): string[] {
  const synth = (
    JSON.parse(readFileSync('data/privacy/presidio-research/synth_dataset_v2.json', 'utf8')) as {
      full_text: string;
    }[]
  ).map((r) => r.full_text);
  const texts = [...synth, ...synth.filter((_, i) => i % 5 === 0).map((t) => t.toUpperCase())];
  for (const file of [
    'data/privacy/gitleaks/small.txt',
    'data/privacy/gitleaks/env.prod',
    'test/fixtures/privacy/differential/extra.txt',
    'test/fixtures/privacy/chat.jsonl',
    'test/fixtures/privacy/people.csv',
  ]) {
    const text = readFileSync(file, 'utf8');
    texts.push(text, ...text.split('\n'));
  }
  return texts;
}

/** A secret match as compared: everything but the rule object. */
function secretKey(m: SecretMatch): unknown[] {
  return [m.rule.id, m.start, m.end, m.secret, m.match, m.checksum ?? null, m.example ?? null];
}

// Pieces of text around the hinted rules (aws-access-token, generic-api-key): their words in
// every case and under RE2's case folding (U+017F LONG S, U+212A KELVIN SIGN), assignment
// operators, AWS prefixes, long runs of [\w.-] (more than the generic rule's 50), escapes,
// non-ASCII and astral characters.
const SECRET_PIECES = [
  'key', 'KEY', 'Key', '\u212Aey', 'api', 'API', 'Api', 'aPI', 'token', 'TOKEN', 'secret',
  '\u017Fecret', 'password', 'PASSWD', 'pa\u017F\u017Fwd', 'creds', 'cred\u017F',
  'credential', 'access', 'acce\u017F\u017F', 'auth', 'AUTH', '=', ' = ', ': ', ':=', '=>',
  '||', '?=', ',', '>', '"', "'", '`', ';', ' ', '\t', '\n', '\\n', '_', '.', '-', 'aws_',
  'my.service-', 'AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3TX', 'A3T', 'AKI', 'LALEMEL33243OLIA',
  'ABCDEFGHIJKLMNOP', '2345672345672345', 'x9f8e7d6c5b4a3z2y1q0', 'abc123def456ghi789jkl',
  'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==', 'é', '\u00DF', '\uD83D\uDE00', 'w'.repeat(30),
  'a_b.c-d'.repeat(9), 'EXAMPLE', '0', 'AKIALALEMEL33243OLIA', 'ASIAZZ2345672345672A',
  'aws_key = AKIALALEMEL33243OLIA', 'api_key = "x9f8e7d6c5b4a3z2y1q0"', 'token: abc123def456ghi789jkl',
  '\u212Aey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==', 'client_\u017Fecret => 9f8e7d6c5b4a3z2y1q0x',
]; // prettier-ignore

// One value of every entity (secrets included), for records written plainly, with JSON escapes
// hiding the characters the prefilters look for, next to non-ASCII and astral text, and in a
// line longer than one window.
const ENTITY_VALUES = [
  'card 4454 7945 1139 0933', 'iban DE89 3704 0044 0532 0130 00', 'ssn 460-89-9847',
  'nhs number 943 476 5919', 'dni 12345678Z', 'steuer-id 65 929 970 489',
  'mail UtaKortig@jourrapide.com', 'client ip 84.17.32.9', 'host 2a00:1450:4001:81c::200e',
  'born 17/05/1990', 'call +44 20 7946 0958', 'aws_key = AKIALALEMEL33243OLIA',
  'token ghp_4fXqv8tGyJ2kLm9NpRs5TuVw1Xy3Zb6Cd7Ef', 'api_key: "x9f8e7d6c5b4a3z2y1q0"',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----',
]; // prettier-ignore

function everyEntityRecords(): string[] {
  // JSON text of `value` with its digits, '@' and some letters written as \u escapes.
  const escaped = (value: string): string =>
    JSON.stringify(value).replace(
      /[\d@AKk]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const out: string[] = [];
  ENTITY_VALUES.forEach((v, i) => {
    out.push(
      JSON.stringify({ id: i, text: v }),
      `{"id":${i},"text":${escaped(v)}}`,
      JSON.stringify({ id: i, text: `caf\u00e9 \u6771\u4eac \u{1F600} ${v} \u00fc\u212Aey` }),
      JSON.stringify({
        id: i,
        nested: { list: [v, { deeper: v.toUpperCase() }] },
        n: 4454794511390933,
      }),
    );
  });
  out.push(JSON.stringify({ long: `${'lorem ipsum '.repeat(100_000)}${ENTITY_VALUES.join(' ')}` }));
  return out;
}

describe('privacy detector, differential', () => {
  const texts = corpus();

  it('finds exactly the hits the straightforward detector found (saved baseline)', () => {
    const baseline = JSON.parse(
      readFileSync('test/fixtures/privacy/differential/detect-baseline.json', 'utf8'),
    ) as { texts: number; hits: Record<string, unknown[]> };
    assert.equal(texts.length, baseline.texts);
    const detector = new PrivacyDetector();
    let total = 0;
    texts.forEach((text, i) => {
      const found = detector
        .detect(text)
        .map((h) => [h.entity, h.start, h.end, h.confidence, h.example ? 1 : 0, h.detail ?? null]);
      total += found.length;
      assert.deepEqual(found, baseline.hits[String(i)] ?? [], `text ${i}`);
    });
    // The corpus exercises the detector: hundreds of hits, secrets among them.
    assert.ok(total > 400, String(total));
  });

  it("selects gitleaks' rules as `text.toLowerCase().includes(keyword)` does", () => {
    const rules = defaultSecretRules();
    const extra = [
      'KEY',
      '\u212Aey',
      'xoxe.xoxb-',
      'xoxb-',
      'İ',
      'sk-ant-api03',
      'SK_LIVE_',
      'ﬀ',
      'aws_KEY',
    ];
    for (const text of [...texts, ...extra]) {
      const lower = text.toLowerCase();
      const naive = rules.rules.filter(
        (r) => r.keywords.length === 0 || r.keywords.some((k) => lower.includes(k)),
      );
      assert.deepEqual(
        [...selectRules(rules, text)].map((r) => r.id),
        naive.map((r) => r.id),
        text.slice(0, 80),
      );
      // `any` (the JSONL record prefilter) stops at the first keyword: the same yes or no.
      assert.equal(
        rules.keywords.any(text),
        rules.rules.some((r) => r.keywords.some((k) => lower.includes(k))),
        text.slice(0, 80),
      );
    }
  });

  it('every search hint applies to the shipped rule it was derived from', () => {
    const rules = defaultSecretRules();
    for (const [id, hint] of SEARCH_HINTS)
      assert.equal(rules.rules.find((r) => r.id === id)?.pattern, hint.pattern, id);
  });

  it('finds the same secrets with and without the search hints', () => {
    const rules = defaultSecretRules();
    let total = 0;
    const check = (text: string): void => {
      const hinted = findSecrets(rules, text).map(secretKey);
      const plain = findSecrets(rules, text, '', { hints: false }).map(secretKey);
      assert.deepEqual(hinted, plain, JSON.stringify(text.slice(0, 120)));
      total += plain.filter(
        (m) => m[0] === 'aws-access-token' || m[0] === 'generic-api-key',
      ).length;
    };
    for (const text of texts) check(text);
    const corpusHits = total;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SECRET_PIECES), { maxLength: 60 }), (pieces) => {
        check(pieces.join(''));
      }),
      { seed: 18, numRuns: 3000 },
    );
    // Both parts exercise the hinted rules: the corpus, and the generated texts on their own.
    assert.ok(corpusHits > 20, String(corpusHits));
    assert.ok(total - corpusHits > 200, String(total - corpusHits));
  });

  it('scans JSONL with the record prefilter exactly as value by value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-privacy-diff-'));
    const path = join(dir, 'records.jsonl');
    const synth = JSON.parse(
      readFileSync('data/privacy/presidio-research/synth_dataset_v2.json', 'utf8'),
    ) as unknown[];
    const lines = synth.map((r, i) => JSON.stringify({ id: i, record: r, n: [i * 1e7, -i, 0.5] }));
    lines.push(
      ...texts.slice(-200).map((t, i) => JSON.stringify({ id: i, text: t, meta: { k: 'v' } })),
      '{"a":"x","a":"call 943 476 5919"}',
      '{"2":"ssn 460-89-9847","1":"mail UtaKortig@jourrapide.com","b":"plain"}',
      '{"t":"\\u0061ws AKIALALEMEL33243OLIA","u":"caf\\u00e9"}',
      '{"big":123456789,"neg":-460899847,"f":4.6e8,"s":"460899847"}',
      '{"bin":"\\u0000x","ok":"fine"}',
      `${'['.repeat(600)}"deep 460-89-9847"${']'.repeat(600)}`,
      'not json 460-89-9847',
      '{"__proto__":{"x":"mail SueDHague@armyspy.com"}}',
      ...everyEntityRecords(),
    );
    writeFileSync(path, `${lines.join('\n')}\n`);
    // The reference: every value handed over, every rule searched from the start.
    const { fast, slow } = await scanShippedAndReference(path);
    assert.deepEqual(fast, slow);
    assert.ok(slow.totalHits > 300, String(slow.totalHits));
    // Every entity of ENTITY_VALUES is found (by both paths, as they are equal).
    const entities = new Set(slow.columns.map((c) => c.entity));
    for (const e of [
      'credit-card',
      'iban',
      'us-ssn',
      'uk-nhs',
      'es-nif',
      'de-tax-id',
      'email',
      'ip-address',
      'date-of-birth',
      'phone',
      'secret/aws',
      'secret/github',
      'secret/generic',
      'private-key',
    ])
      // prettier-ignore
      assert.ok(entities.has(e), `${e} in ${[...entities].join(', ')}`);
    // The line longer than a window is searched as text, in windows.
    assert.ok(slow.problems.some((p) => p.code === 'LIMIT_EXCEEDED'));
  });

  it('no recogniser matches where noRecognizerCanMatch says so', () => {
    const samples = ['', 'plain words', '-', '--7', '0', '-0', '99999999', '-12345678'];
    for (let i = 0; i < 20_000; i++) {
      // Deterministic spread over 1- to 8-digit numbers (Knuth's multiplicative hash).
      const digits = String(((i * 2654435761) >>> 0) % 10 ** (1 + (i % 8)));
      samples.push(digits, `-${digits}`);
    }
    for (const text of samples) {
      if (!noRecognizerCanMatch(text)) continue;
      for (const r of RECOGNIZERS) {
        r.pattern.lastIndex = 0;
        assert.equal(r.pattern.exec(text), null, `${r.entity} on ${text}`);
      }
    }
    // And it does not wave through what a recogniser can match.
    assert.equal(noRecognizerCanMatch('460899847'), false);
    assert.equal(noRecognizerCanMatch('a@b.de'), false);
  });
});
