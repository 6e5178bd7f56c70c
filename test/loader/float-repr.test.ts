import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertToSafetensors } from '../../src/loader/convert.js';
import { pythonFloatText } from '../../src/loader/pickle-walk.js';

// Metadata floats must read as CPython's repr / json.dumps writes them. The oracle is Debian's
// /usr/bin/python3 (and its torch 1.13 for a checkpoint that torch itself pickled).

const dir = mkdtempSync(join(tmpdir(), 'torchward-float-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Edge values as Python spells them, each one a float() argument. */
const TABLE = [
  '0.0',
  '-0.0',
  '1.0',
  '-1.0',
  '0.1',
  '1e-08',
  '1e-05',
  '0.0001',
  '0.00012345',
  '1e16',
  '9999999999999998.0',
  '1e+22',
  '123456789012345.6',
  '1.5e300',
  '5e-324',
  '2.2250738585072014e-308',
  '2.225073858507201e-308',
  '1.7976931348623157e+308',
  '3.141592653589793',
  '100.0',
  '1e15',
  '0.3',
  '2.5e-05',
  "float('nan')",
  "-float('nan')",
  "float('inf')",
  "float('-inf')",
];

describe('pythonFloatText', () => {
  it('matches CPython repr on an edge table and 3,000 random doubles', () => {
    const script = String.raw`
import json, random, struct, sys
random.seed(22)
table = [eval(x) for x in json.loads(sys.argv[1])]
rand = []
while len(rand) < 3000:
    f = struct.unpack('<d', random.getrandbits(64).to_bytes(8, 'little'))[0]
    if f == f:
        rand.append(f)
# Also decimal-looking values across the fixed/scientific switch points.
rand += [random.uniform(-1, 1) * 10 ** random.randint(-8, 18) for _ in range(1000)]
print(json.dumps([[struct.pack('<d', f).hex(), json.dumps(f)] for f in table + rand]))
`;
    const pairs = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(TABLE)], { encoding: 'utf8' }),
    ) as [string, string][];
    assert.ok(pairs.length > 4000);
    for (const [hex, expected] of pairs) {
      const value = Buffer.from(hex, 'hex').readDoubleLE(0);
      assert.equal(pythonFloatText(value), expected, `bits ${hex}`);
    }
  });

  it('writes the floats of a torch checkpoint into __metadata__ exactly as json.dumps', async () => {
    const input = join(dir, 'floats.pt');
    const script = String.raw`
import json, sys, torch
values = [eval(x) for x in json.loads(sys.argv[2])]
sd = {'w': torch.zeros(2)}
for i, v in enumerate(values):
    sd[f'f{i}'] = v
sd['nested'] = {'lr': 1e-08, 'betas': (0.9, 0.999), 'eps': -0.0}
torch.save(sd, sys.argv[1])
print(json.dumps({k: json.dumps(v) for k, v in sd.items() if k != 'w'}))
`;
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, input, JSON.stringify(TABLE)], {
        encoding: 'utf8',
      }),
    ) as Record<string, string>;
    const output = join(dir, 'floats.safetensors');
    await convertToSafetensors(input, output);
    const bytes = readFileSync(output);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as {
      __metadata__: Record<string, string>;
    };
    for (const [key, text] of Object.entries(expected)) {
      assert.equal(header.__metadata__[key], text, key);
    }
    // A container of scalars is one leaf, rendered as json.dumps renders the whole dict.
    assert.equal(header.__metadata__.nested, '{"lr": 1e-08, "betas": [0.9, 0.999], "eps": -0.0}');
  });
});
