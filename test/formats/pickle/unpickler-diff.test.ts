import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import { decodePickle, decodePickleSource } from '../../../src/formats/pickle/vm.js';
import { global, pk, proto, STOP } from './assemble.js';

// Issue 12 item 8: whatever either CPython unpickler would resolve, torchward reports. CPython's
// C unpickler (torch) and its pure-Python one (joblib, dill) differ at the end of the input: the
// pure-Python one takes a FRAME longer than the rest as the rest and a last line without its
// newline as the rest minus one byte. The oracle (test/oracle/unpickler_trace.py) runs both with
// a find_class that records and refuses; nothing is imported or run.

const ORACLE = 'test/oracle/unpickler_trace.py';
const LIMITS = makeLimits({ maxOpcodes: 200_000, maxStack: 10_000, maxMemo: 10_000 });

function python(args: string[], input?: string): string {
  const r = spawnSync('/usr/bin/python3', [ORACLE, ...args], {
    input,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Every prefix; each with its last byte dropped and a FRAME length pushed past the end. */
function mutations(seed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 1; n <= seed.byteLength; n++) out.push(seed.subarray(0, n));
  for (let i = 0; i < seed.byteLength; i++) {
    // A FRAME (0x95) whose 8-byte length is raised by 1, 64 and 2^20: longer than the rest.
    if (seed[i] !== 0x95 || i + 9 > seed.byteLength) continue;
    for (const extra of [1, 64, 1 << 20]) {
      const m = Uint8Array.from(seed);
      const view = new DataView(m.buffer);
      view.setBigUint64(i + 1, view.getBigUint64(i + 1, true) + BigInt(extra), true);
      out.push(m);
      // …and cut short as well.
      out.push(m.subarray(0, Math.max(i + 9, m.byteLength - 3)));
    }
  }
  for (let i = 0; i < seed.byteLength; i++) {
    // A newline ending a GLOBAL/INST line removed, and the stream cut just after it.
    if (seed[i] === 0x0a) out.push(Uint8Array.from([...seed.subarray(0, i), 0x58]));
  }
  return out;
}

describe('both CPython unpicklers, differentially (issue 12.8)', () => {
  const seeds = python(['seeds'])
    .trim()
    .split('\n')
    .map((l) => new Uint8Array(Buffer.from(l.slice(4), 'base64')));
  const hand = [
    // GLOBAL whose name line lacks its newline at the end: the pure-Python reader resolves
    // posix.system (the last byte, X, is dropped as if it were the newline).
    pk(proto(2), 'cposix\nsystemX'),
    pk(proto(2), global('posix', 'system'), STOP),
  ];
  const inputs = [...seeds, ...hand].flatMap((s) => [s, ...mutations(s)]);
  const traces = python([], inputs.map((b) => `b64:${b64(b)}`).join('\n') + '\n')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { c: [string, string][]; py: [string, string][] });

  it('has an oracle answer for every input, and the two readers do differ', () => {
    assert.equal(traces.length, inputs.length);
    const onlyPy = traces.filter((t, i) => t.py.length > 0 && t.c.length === 0 && i >= 0).length;
    assert.ok(onlyPy > 0, 'no input where only the pure-Python unpickler resolves a global');
  });

  it('reports every global either unpickler resolves (in memory and windowed)', async () => {
    const misses: string[] = [];
    let reached = 0;
    for (const [i, bytes] of inputs.entries()) {
      const t = traces[i];
      if (t === undefined) continue;
      const ours = new Set(
        decodePickle(bytes, { limits: LIMITS }).globals.map((g) => `${g.rawModule}.${g.rawName}`),
      );
      const windowed = new Set(
        (
          await decodePickleSource(new MemorySource(bytes), { limits: LIMITS, window: 16 })
        ).globals.map((g) => `${g.rawModule}.${g.rawName}`),
      );
      for (const [reader, list] of [
        ['C', t.c],
        ['pure-Python', t.py],
      ] as const) {
        for (const [m, n] of list) {
          reached++;
          if (!ours.has(`${m}.${n}`)) misses.push(`${reader} ${m}.${n} in memory: ${b64(bytes)}`);
          if (!windowed.has(`${m}.${n}`))
            misses.push(`${reader} ${m}.${n} windowed: ${b64(bytes)}`);
        }
      }
    }
    assert.deepEqual(misses, []);
    assert.ok(reached > 100, `only ${reached} globals reached`);
  });
});
