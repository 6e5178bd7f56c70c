import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deflateRawSync, gzipSync, deflateSync, crc32 as nodeCrc32 } from 'node:zlib';
import { createKey, loadKeys } from '../../src/server/keys.js';
import { checkUrl, isAllowedAddress } from '../../src/server/ssrf.js';
import * as shim from '../../src/web/shims/zlib.js';

describe('SSRF guard addresses', () => {
  it('blocks private, loopback, link-local and reserved addresses, in every spelling', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.16.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:169.254.169.254',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
    ]) {
      assert.equal(isAllowedAddress(a), false, a);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) {
      assert.equal(isAllowedAddress(a), true, a);
    }
    assert.equal(isAllowedAddress('127.0.0.1', { allowLoopback: true }), true);
    assert.equal(isAllowedAddress('::1', { allowLoopback: true }), true);
    assert.equal(isAllowedAddress('10.0.0.1', { allowLoopback: true }), false);
    assert.equal(isAllowedAddress('169.254.169.254', { allowLoopback: true }), false);
  });

  it('refuses localhost names, other schemes and non-URLs before connecting', () => {
    for (const u of [
      'http://localhost/',
      'http://LOCALHOST./x',
      'http://a.localhost/',
      'ftp://x/',
      'x',
    ]) {
      assert.throws(() => checkUrl(u), /not a public address|only http|not a URL/, u);
    }
  });
});

describe('API keys', () => {
  it('stores only the hash and accepts exactly the key it printed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tw-keys-')), 'keys');
    const { key } = await createKey(file);
    assert.ok(!readFileSync(file, 'utf8').includes(key.slice(4)));
    const ring = await loadKeys(file);
    assert.equal(ring.accepts(`Bearer ${key}`), true);
    assert.equal(ring.accepts(`Bearer ${key}x`), false);
    assert.equal(ring.accepts(key), false);
    assert.equal(ring.accepts(undefined), false);
  });
});

describe('browser zlib shim', () => {
  it('inflates what node:zlib deflated, in all three framings, and matches its CRC-32', () => {
    const data = Buffer.concat([randomBytes(5000), Buffer.alloc(70_000, 3)]);
    assert.deepEqual(Buffer.from(shim.inflateRawSync(deflateRawSync(data))), data);
    assert.deepEqual(Buffer.from(shim.inflateSync(deflateSync(data))), data);
    assert.deepEqual(Buffer.from(shim.gunzipSync(gzipSync(data))), data);
    assert.equal(shim.crc32(data), nodeCrc32(data));
    assert.equal(
      shim.crc32(data.subarray(100), shim.crc32(data.subarray(0, 100))),
      nodeCrc32(data),
    );
  });

  it('stops at maxOutputLength and reports a truncated stream as node does', () => {
    const packed = deflateRawSync(Buffer.alloc(100_000));
    assert.throws(() => shim.inflateRawSync(packed, { maxOutputLength: 1000 }), RangeError);
    assert.throws(
      () => shim.inflateRawSync(packed.subarray(0, packed.length - 5)),
      (e: { code?: string }) => e.code === 'Z_BUF_ERROR',
    );
  });

  it('streams: data events, then end; a corrupt stream errors', async () => {
    const data = randomBytes(200_000);
    const s = shim.createInflateRaw();
    const parts: Uint8Array[] = [];
    s.on('data', (c) => parts.push(c as Uint8Array));
    const ended = new Promise((r) => s.once('end', r));
    const packed = deflateRawSync(data);
    for (let at = 0; at < packed.length; at += 7000) s.write(packed.subarray(at, at + 7000));
    s.end();
    await ended;
    assert.deepEqual(Buffer.concat(parts), data);
    const bad = shim.createInflateRaw();
    const failed = new Promise((r) => bad.once('error', r));
    bad.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    bad.end();
    assert.ok((await failed) instanceof Error);
  });
});
