import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  TORCH_1_13_ALLOWLIST,
  TORCH_2_13_ALLOWLIST,
  TORCHWARD_ADDITIONS,
  WEIGHTS_ONLY_ALLOWLIST,
} from '../../../src/rules/pickle/policy/allowlist.js';
import { GADGETS } from '../../../src/rules/pickle/policy/gadgets.js';

/** Renders docs/allowlist.md from the policy data (UPDATE_GOLDEN=1 rewrites the file). */
function render(): string {
  const lines: string[] = [
    '# Pickle allowlist and gadget list',
    '',
    'Generated from `src/rules/pickle/policy/{allowlist,gadgets}.ts` by',
    '`test/rules/pickle/allowlist-doc.test.ts` (run it with `UPDATE_GOLDEN=1` after changing them).',
    '',
    '## Allowlist',
    '',
    `torchward judges pickles by torch 2.13's weights-only allowlist (reference §6.2), the newest torch`,
    `available here: ${WEIGHTS_ONLY_ALLOWLIST.size} globals. A pickle is safe only when every global, call, BUILD,`,
    'container mutation and persistent id stays inside it. Users may add exact `module.name` entries',
    "(`--allow-global`, config `allow-globals`), as torch's `add_safe_globals` does; an entry that names",
    'a gadget below is ignored. `test/rules/pickle/allowlist-torch2.test.ts` asserts that the list equals',
    "`torch._weights_only_unpickler._get_allowed_globals()` of the live torch 2.13 plus torchward's",
    'additions, so a drift fails the tests.',
    '',
    `### torch 2.13.0 (${TORCH_2_13_ALLOWLIST.size} names)`,
    '',
    ...[...TORCH_2_13_ALLOWLIST].sort().map((n) => `- \`${n}\``),
    '',
    `### torchward's additions (${TORCHWARD_ADDITIONS.length} names)`,
    '',
    ...(TORCHWARD_ADDITIONS.length === 0
      ? ['None: torchward allows exactly what torch 2.13 allows.']
      : [...TORCHWARD_ADDITIONS].sort().map((n) => `- \`${n}\``)),
    '',
    `### torch 1.13.1 (${TORCH_1_13_ALLOWLIST.size} names; a profile for the differential test, not used for verdicts)`,
    '',
    'Every name torch 1.13.1 allows is on the torch 2.13 list except these, which torch 2.13 refuses',
    'and torchward therefore does not allow:',
    '',
    ...[...TORCH_1_13_ALLOWLIST]
      .filter((n) => !TORCH_2_13_ALLOWLIST.has(n))
      .sort()
      .map((n) => `- \`${n}\``),
    '',
    '## Gadget list',
    '',
    'Globals that make a pickle malicious. The list explains and sets severity; it never decides',
    'safety (anything off the allowlist is at least suspicious). `module` entries cover every name in',
    'the module and its submodules; py2 spellings and dotted attribute chains are resolved first.',
    '',
    '| Pattern | Match | Category | Severity | Sources |',
    '|---|---|---|---|---|',
    ...GADGETS.map(
      (g) =>
        `| \`${g.pattern}\` | ${g.match} | ${g.category} | ${g.severity} | ${g.sources.join('; ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

describe('docs/allowlist.md', () => {
  it('matches the policy data', () => {
    const file = 'docs/allowlist.md';
    const text = render();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});
