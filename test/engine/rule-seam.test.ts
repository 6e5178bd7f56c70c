import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { UnitContext } from '../../src/engine/unit.js';
import { loadRulesFor } from '../../src/rules/families.js';
import type { RuleInputOf } from '../../src/rules/rule-inputs.js';
import { runRules, type RuleFailure } from '../../src/rules/run-rules.js';

// The seam between engine and rules is typed by target (src/rules/rule-inputs.ts): each line
// marked @ts-expect-error must fail to compile, so if the seam fell back to `unknown` the test
// build itself would fail ("unused @ts-expect-error").

async function seam(
  ctx: UnitContext,
  pickle: RuleInputOf<'pickle'>,
  gguf: RuleInputOf<'gguf'>,
  workflow: RuleInputOf<'workflow'>,
): Promise<void> {
  await ctx.check('pickle', pickle);
  await ctx.check('gguf', gguf);
  // @ts-expect-error a GGUF header is not what the pickle rules read
  await ctx.check('pickle', gguf);
  const failures: RuleFailure[] = [];
  runRules('workflow', await loadRulesFor('workflow'), workflow, base, failures);
  // @ts-expect-error workflow rules do not read a pickle
  runRules('workflow', await loadRulesFor('workflow'), pickle, base, failures);
}

const base = { uri: 'x', unit: 'byte', options: {} } as const;

it('the typed seam compiles only matching targets and inputs', () => {
  // The checks above are made by the compiler; the function exists for it, not to be run.
  assert.equal(typeof seam, 'function');
});
