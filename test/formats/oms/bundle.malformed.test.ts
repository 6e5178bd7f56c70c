import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import {
  decodeBase64Strict,
  ecHashForKey,
  parseCertificateDer,
  parseCertificatesPem,
  parseOmsBundle,
  parseOmsStatement,
  parsePublicKeyPem,
} from '../../../src/formats/oms/index.js';

function fuzzRuns(fallback: number): number {
  const n = Number(process.env.TORCHWARD_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

const VECTORS = resolve(process.cwd(), 'test', 'fixtures', 'oms', 'model-signing');
const text = (name: string): string => readFileSync(join(VECTORS, name, 'model.sig'), 'utf8');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
  return 'OK';
}

type Json = Record<string, unknown>;
function mutate(name: string, edit: (b: Json) => void): Uint8Array {
  const b = JSON.parse(text(name)) as Json;
  edit(b);
  return enc(JSON.stringify(b));
}
const env = (b: Json): Json => b.dsseEnvelope as Json;
const vm = (b: Json): Json => b.verificationMaterial as Json;

function statementWith(edit: (s: Json) => void): Uint8Array {
  const b = JSON.parse(text('v1.1.0-elliptic-key')) as Json;
  const s = JSON.parse(Buffer.from(env(b).payload as string, 'base64').toString('utf8')) as Json;
  edit(s);
  return enc(JSON.stringify(s));
}

const parse = (bytes: Uint8Array) => () => parseOmsBundle(bytes, DEFAULT_LIMITS);
const parseSt = (bytes: Uint8Array) => () => parseOmsStatement(bytes, DEFAULT_LIMITS);

describe('OMS bundles: malformed input gives stable FormatError codes', () => {
  it('bad JSON, bad UTF-8, wrong top-level shape', () => {
    assert.equal(codeOf(parse(enc('{"mediaType":'))), 'BAD_JSON');
    assert.equal(codeOf(parse(Uint8Array.of(0x7b, 0xff, 0x7d))), 'BAD_UTF8');
    assert.equal(codeOf(parse(enc('[]'))), 'BAD_STRUCTURE');
    assert.equal(codeOf(parse(enc('{"mediaType":"application/json"}'))), 'UNSUPPORTED_VERSION');
  });

  it('bad base64 in the payload, the signature and a certificate', () => {
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            env(b).payload = 'ey!!';
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            env(b).payload = 'abcde';
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            env(b).payload = 'ab=c';
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            (env(b).signatures as Json[])[0] = { sig: 'M E' };
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-certificate', (b) => {
            ((vm(b).x509CertificateChain as Json).certificates as Json[])[0] = {
              rawBytes: '%%%',
            };
          }),
        ),
      ),
      'BAD_VALUE',
    );
  });

  it('wrong payload type, no DSSE envelope, no signatures, no key material', () => {
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            env(b).payloadType = 'text/plain';
          }),
        ),
      ),
      'UNSUPPORTED_FEATURE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            delete b.dsseEnvelope;
            b.messageSignature = {};
          }),
        ),
      ),
      'UNSUPPORTED_FEATURE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            env(b).signatures = [];
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            b.verificationMaterial = { tlogEntries: [] };
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
    assert.equal(
      codeOf(
        parse(
          mutate('v1.1.0-elliptic-key', (b) => {
            vm(b).tlogEntries = {};
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
  });

  it('truncated certificates are TRUNCATED; trailing bytes BAD_LENGTH; garbage DER BAD_VALUE', () => {
    const b = JSON.parse(text('v1.1.0-certificate')) as Json;
    const certs = (vm(b).x509CertificateChain as Json).certificates as Json[];
    const der = Buffer.from(certs[0]?.rawBytes as string, 'base64');
    for (const cut of [1, 2, 3, 10, der.length - 1]) {
      assert.equal(
        codeOf(() => parseCertificateDer(der.subarray(0, cut))),
        'TRUNCATED',
        `cut at ${cut}`,
      );
    }
    assert.equal(
      codeOf(() => parseCertificateDer(Buffer.concat([der, Buffer.of(0)]))),
      'BAD_LENGTH',
    );
    assert.equal(
      codeOf(() => parseCertificateDer(Buffer.of(0x31, 0x00))),
      'BAD_MAGIC',
    );
    assert.equal(
      codeOf(() => parseCertificateDer(Buffer.of(0x30, 0x03, 0x02, 0x01, 0x00))),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(() => parseCertificateDer(Buffer.of(0x30, 0x80, 0x00, 0x00))),
      'BAD_LENGTH',
    );
    certs[0] = { rawBytes: der.subarray(0, 200).toString('base64') };
    assert.equal(codeOf(parse(enc(JSON.stringify(b)))), 'TRUNCATED');
    assert.equal(
      codeOf(() => parseCertificatesPem('no pem here')),
      'BAD_STRUCTURE',
    );
    assert.equal(
      codeOf(() => parseCertificatesPem('-----BEGIN CERTIFICATE-----\nMIIB')),
      'BAD_STRUCTURE',
    );
  });

  it('keys on other curves or of other types are UNSUPPORTED_FEATURE; junk keys BAD_VALUE', () => {
    for (const curve of ['secp256k1', 'secp224r1']) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      assert.equal(
        codeOf(() => ecHashForKey(publicKey)),
        'UNSUPPORTED_FEATURE',
        curve,
      );
    }
    assert.equal(
      codeOf(() => ecHashForKey(generateKeyPairSync('ed25519').publicKey)),
      'UNSUPPORTED_FEATURE',
    );
    assert.equal(
      codeOf(() =>
        parsePublicKeyPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      ),
      'BAD_VALUE',
    );
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey;
    assert.equal(ecHashForKey(p521), 'sha512');
  });

  it('statement: wrong types, several subjects, unsafe names, bad digests and shard ranges', () => {
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            s._type = 'x';
          }),
        ),
      ),
      'UNSUPPORTED_VERSION',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            s.predicateType = 'https://model_signing/Digests/v0.1';
          }),
        ),
      ),
      'UNSUPPORTED_VERSION',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            s.subject = [];
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
    const res = (s: Json): Json[] => (s.predicate as Json).resources as Json[];
    const ser = (s: Json): Json => (s.predicate as Json).serialization as Json;
    for (const name of ['../etc/passwd', '/abs', 'a//b', 'a\\b', 'a/./b', '']) {
      assert.equal(
        codeOf(
          parseSt(
            statementWith((s) => {
              res(s)[0]!.name = name;
            }),
          ),
        ),
        'BAD_VALUE',
        name,
      );
    }
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            res(s)[0]!.digest = 'ABCD';
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            res(s)[0]!.algorithm = 'blake2b';
          }),
        ),
      ),
      'BAD_VALUE',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            ser(s).method = 'tensors';
          }),
        ),
      ),
      'UNSUPPORTED_FEATURE',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            ser(s).hash_type = 'md5';
          }),
        ),
      ),
      'UNSUPPORTED_FEATURE',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            ser(s).allow_symlinks = 3;
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
    assert.equal(
      codeOf(
        parseSt(
          statementWith((s) => {
            ser(s).ignore_paths = [1];
          }),
        ),
      ),
      'BAD_STRUCTURE',
    );
    const shards = (name: string, size: unknown = 8) =>
      parseSt(
        statementWith((s) => {
          ser(s).method = 'shards';
          ser(s).shard_size = size;
          res(s)[0]!.name = name;
        }),
      );
    assert.equal(codeOf(shards('a:8:4')), 'BAD_VALUE');
    assert.equal(codeOf(shards('a:4')), 'BAD_VALUE');
    assert.equal(codeOf(shards('../a:0:4')), 'BAD_VALUE');
    assert.equal(codeOf(shards('a:0:4', 0)), 'BAD_VALUE');
    assert.equal(codeOf(shards('a:0:4', 1.5)), 'BAD_VALUE');
    assert.equal(
      codeOf(() => parseOmsStatement(enc('{"_type":'), DEFAULT_LIMITS)),
      'BAD_JSON',
    );
  });

  it('limits: a signature over maxTextBytes and more resources than maxEntries', () => {
    const sig = enc(text('v1.1.0-elliptic-key'));
    assert.equal(
      codeOf(() => parseOmsBundle(sig, makeLimits({ maxTextBytes: 100 }))),
      'LIMIT_EXCEEDED',
    );
    const b = parseOmsBundle(sig, DEFAULT_LIMITS);
    assert.equal(
      codeOf(() => parseOmsStatement(b.payload, makeLimits({ maxEntries: 1 }))),
      'LIMIT_EXCEEDED',
    );
  });

  it('base64: both alphabets, optional padding; junk rejected', () => {
    assert.deepEqual([...decodeBase64Strict('-_8', 'x')], [0xfb, 0xff]);
    assert.deepEqual([...decodeBase64Strict('+/8=', 'x')], [0xfb, 0xff]);
    for (const bad of ['a', 'ab===', 'a=bc', 'ab c', 'ab\n'])
      assert.equal(
        codeOf(() => decodeBase64Strict(bad, 'x')),
        'BAD_VALUE',
        bad,
      );
  });

  it('every truncation of a vector bundle parses or throws FormatError', () => {
    for (const name of ['v1.1.0-elliptic-key', 'v1.1.0-certificate', 'v1.0.0-sigstore']) {
      const full = enc(text(name));
      for (let cut = 0; cut < full.length; cut += 7) codeOf(parse(full.subarray(0, cut)));
    }
  });

  it('arbitrary bytes and byte flips never escape as anything but FormatError', () => {
    const full = enc(text('v1.1.0-certificate'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        codeOf(parse(bytes));
        codeOf(parseSt(bytes));
        codeOf(() => parseCertificateDer(bytes));
      }),
      { numRuns: fuzzRuns(300) },
    );
    fc.assert(
      fc.property(
        fc.nat({ max: full.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (at, value) => {
          const copy = full.slice();
          copy[at] = value;
          codeOf(parse(copy));
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});
