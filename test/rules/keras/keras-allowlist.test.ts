// Keras by default-deny: real Keras 3 (the torch 2.13 venv, KERAS_BACKEND=torch) writes stock
// models, which must come out safe; hand-built changes to their configs (test/oracle/keras_models.py
// VARIANTS) plant the known gadgets and objects outside the allowlist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Verdict } from '../../../src/core/finding.js';
import { scanFile } from '../../../src/engine/scan.js';
import { KERAS_CLASSES, KERAS_FUNCTIONS } from '../../../src/rules/keras/policy/builtins.js';
import { isAllowedKerasClass } from '../../../src/rules/keras/policy/judge.js';
import { torch2Env, torch2Python } from '../../helpers/torch2.js';

const SCRIPT = 'test/oracle/keras_models.py';

/** Each variant's expected verdict and the rule that must say so. */
const VARIANTS: Readonly<Record<string, readonly [Verdict, string | undefined]>> = {
  'get-file': ['malicious', 'keras/known-gadget'],
  'enable-unsafe': ['malicious', 'keras/known-gadget'],
  'tfsm-layer': ['malicious', 'keras/known-gadget'],
  'vocabulary-file': ['malicious', 'keras/known-gadget'],
  lambda: ['malicious', 'keras/serialized-function'],
  'torch-module-wrapper': ['malicious', 'keras/serialized-function'],
  'unknown-class': ['suspicious', 'keras/unlisted-object'],
  'unknown-activation': ['suspicious', 'keras/unlisted-object'],
  'keras-function-not-listed': ['suspicious', 'keras/unlisted-object'],
  'path-in-field': ['suspicious', 'keras/unlisted-object'],
  'vocabulary-inline': ['safe', undefined],
  'activation-object': ['safe', undefined],
};

function python(...args: string[]): string {
  return execFileSync(torch2Python(), [SCRIPT, ...args], {
    encoding: 'utf8',
    env: torch2Env(),
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 16 << 20,
  });
}

describe('Keras default-deny', () => {
  let dir: string;
  let stock: string[];
  let variants: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-keras-'));
    stock = JSON.parse(python('make', dir)) as string[];
    variants = JSON.parse(python('variants', dir)) as string[];
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stock models written by Keras 3 (.keras and legacy .h5) are safe with no finding', async () => {
    assert.ok(stock.length >= 10, `only ${stock.length} stock models`);
    const wrong: string[] = [];
    for (const file of stock) {
      const r = await scanFile(file);
      if (r.verdict !== 'safe' || r.findings.length > 0) {
        wrong.push(
          `${basename(file)}: ${String(r.verdict)} ${r.findings.map((f) => f.message).join('; ')}`,
        );
      }
    }
    assert.deepEqual(wrong, []);
  });

  for (const [name, [verdict, ruleId]] of Object.entries(VARIANTS)) {
    for (const ext of ['keras', 'h5']) {
      it(`${name}.${ext}: ${verdict}`, async () => {
        const file = variants.find((f) => basename(f) === `variant-${name}.${ext}`);
        assert.ok(file !== undefined, `no variant ${name}.${ext}`);
        const r = await scanFile(file);
        assert.equal(r.verdict, verdict, JSON.stringify(r.findings.map((f) => f.message)));
        if (ruleId === undefined) assert.deepEqual(r.findings, []);
        else assert.ok(r.findings.some((f) => f.ruleId === ruleId && f.verdict === verdict));
      });
    }
  }

  it('every allowlisted class and function exists in the live Keras; the gadgets are not allowlisted', () => {
    const live = JSON.parse(python('names')) as {
      version: string;
      classes: Record<string, string[]>;
      functions: Record<string, string[]>;
    };
    assert.match(live.version, /^3\./);
    for (const [space, names] of Object.entries(KERAS_CLASSES)) {
      const have = new Set(live.classes[space]);
      assert.deepEqual(
        names.filter((n) => !have.has(n)),
        [],
        `keras.${space}`,
      );
    }
    for (const [space, names] of Object.entries(KERAS_FUNCTIONS)) {
      const have = new Set(live.functions[space]);
      assert.deepEqual(
        names.filter((n) => !have.has(n)),
        [],
        `keras.${space}`,
      );
    }
    for (const gadget of ['Lambda', 'TFSMLayer', 'function', '__lambda__']) {
      assert.equal(isAllowedKerasClass(gadget), false, gadget);
    }
  });
});
