import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanBytes } from '../../src/engine/scan.js';

// Whole-engine property: any bytes, and any mutation of any committed fixture, give a result with
// a verdict and never an exception, a hang or an internal error.
const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '150');
const LIMITS = { maxMillisPerFile: 5_000, maxInflatedBytes: 64 * 1024 * 1024 };

function fixtures(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) fixtures(path, out);
    else if (
      info.size > 0 &&
      info.size <= 64 * 1024 &&
      !name.endsWith('.md') &&
      !name.endsWith('.py')
    )
      out.push(path);
  }
  return out;
}

const corpus = [...fixtures('test/fixtures'), ...fixtures('examples')]
  .filter((p) => !p.includes('/make/'))
  .map((p) => ({ path: p, bytes: new Uint8Array(readFileSync(p)) }));

async function scanOk(bytes: Uint8Array, name: string): Promise<void> {
  const result = await scanBytes(bytes, name, { limits: LIMITS });
  assert.ok(['safe', 'suspicious', 'malicious', 'invalid'].includes(result.verdict ?? ''), name);
  const internal = result.findings.filter((f) => f.ruleId === 'model/internal-error');
  assert.deepEqual(
    internal.map((f) => f.message),
    [],
    `internal error on a mutation of ${name}`,
  );
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < out.length) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert': {
        const next = new Uint8Array(out.length + m.bytes.length);
        next.set(out.subarray(0, at));
        next.set(m.bytes, at);
        next.set(out.subarray(at), at + m.bytes.length);
        out = next;
        break;
      }
      case 'overwrite':
        out.set(m.bytes.subarray(0, Math.max(0, out.length - at)), at);
        break;
    }
  }
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: fc.nat(),
    // Values that decoders treat specially: huge lengths, opcodes, magic starts.
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(
        new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
        new Uint8Array([0x80, 0x04, 0x95]),
        new Uint8Array([0x50, 0x4b, 0x03, 0x04]),
        new Uint8Array([0x63, 0x6f, 0x73, 0x0a]),
      ),
    ),
  }),
);

describe('engine fuzz', () => {
  it('has a corpus of fixtures to mutate', () => {
    assert.ok(corpus.length >= 20, `only ${corpus.length} fixtures`);
  });

  it('never throws or reports an internal error on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await scanOk(bytes, 'arbitrary.bin');
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws or reports an internal error on mutated fixtures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: Math.max(0, corpus.length - 1) }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (index, ms) => {
          const base = corpus[index];
          if (base === undefined) return;
          await scanOk(mutate(base.bytes, ms), base.path);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });
});
