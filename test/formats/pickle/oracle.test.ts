import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { makeLimits } from '../../../src/core/limits.js';
import { decodePickle } from '../../../src/formats/pickle/vm.js';
import {
  EMPTY_TUPLE,
  global,
  MARK,
  NEWOBJ,
  OBJ,
  pk,
  proto,
  sbs,
  sbu,
  STACK_GLOBAL,
  STOP,
} from './assemble.js';
import {
  O1_MEMO_CONFUSION,
  O2_STRING_OPERANDS,
  O4_INST,
  O8_FRAME_MISMATCH,
  O9_UNDEFINED_OPCODE,
} from './bypass-streams.js';
import { pickleOpcodes, SEEDS } from './generators.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '300');
const LIMITS = makeLimits({ maxOpcodes: 200_000, maxStack: 10_000, maxMemo: 10_000 });

// Hand-built streams for the opcode-level bypasses of reference §9.2 (inert names).
const HAND: readonly Uint8Array[] = [
  O1_MEMO_CONFUSION,
  O2_STRING_OPERANDS,
  O4_INST,
  pk(MARK, global('builtins', 'exec'), sbs('x'), OBJ, STOP),
  pk(proto(4), sbu('pathlib'), sbu('os.system'), STACK_GLOBAL, STOP),
  O8_FRAME_MISMATCH,
  O9_UNDEFINED_OPCODE,
  pk(proto(2), 'N.', proto(2), global('os', 'system'), STOP),
  pk(proto(2), global('a', 'B'), EMPTY_TUPLE, NEWOBJ, global('copy_reg', '_reconstructor'), STOP),
  pk(proto(2), 0x82, 1, STOP),
];

const mutants = fc
  .tuple(
    fc.constantFrom(...SEEDS, ...HAND),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  )
  .map(([seed, flips]) => {
    const out = Uint8Array.from(seed);
    for (const [at, byte] of flips) if (out.length > 0) out[at % out.length] = byte;
    return out;
  });

/** Every fixture file that is not a zip (zips hold pickles as members; those are not raw). */
function fixtures(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (statSync(path).size <= 1 << 20 && !name.endsWith('.md')) {
        const bytes = readFileSync(path);
        if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) out.push(new Uint8Array(bytes));
      }
    }
  };
  walk('test/fixtures/pickle');
  walk('test/fixtures/torch');
  return out;
}

interface OracleResult {
  globals: [string, string][];
  error: string | null;
}

describe('CPython C unpickler oracle', () => {
  it('torchward reports every global CPython reaches', () => {
    const inputs = [
      ...fixtures(),
      ...SEEDS,
      ...HAND,
      ...fc.sample(pickleOpcodes(), { numRuns: RUNS, seed: 42 }),
      ...fc.sample(mutants, { numRuns: RUNS, seed: 7 }),
    ];
    const run = spawnSync('/usr/bin/python3', ['test/oracle/cpython_globals.py'], {
      input: inputs.map((b) => `b64:${Buffer.from(b).toString('base64')}`).join('\n') + '\n',
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OracleResult);
    assert.equal(results.length, inputs.length);
    let reached = 0;
    const misses: string[] = [];
    inputs.forEach((bytes, i) => {
      const ours = new Set(
        decodePickle(bytes, { limits: LIMITS }).globals.map((g) => `${g.rawModule}\n${g.rawName}`),
      );
      for (const [m, n] of results[i]?.globals ?? []) {
        reached++;
        if (!ours.has(`${m}\n${n}`)) {
          misses.push(`${m}.${n} in ${Buffer.from(bytes).toString('base64')}`);
        }
      }
    });
    assert.deepEqual(misses, []);
    assert.ok(reached > 20, `CPython reached only ${reached} globals`);
  });
});
