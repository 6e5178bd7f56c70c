import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  NEWEST_ADDITIONS,
  TORCH_1_13_ALLOWLIST,
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
    `torchward judges pickles by the newest torch weights-only allowlist (reference §6.2): ${WEIGHTS_ONLY_ALLOWLIST.size} globals.`,
    'A pickle is safe only when every global, call, BUILD, container mutation and persistent id stays',
    'inside it. Users may add exact `module.name` entries (`--allow-global`, config `allow-globals`),',
    "as torch's `add_safe_globals` does; an entry that names a gadget below is ignored.",
    '',
    `### torch 1.13.1 (${TORCH_1_13_ALLOWLIST.size} names; a profile for the differential test, not used for verdicts)`,
    '',
    ...[...TORCH_1_13_ALLOWLIST].sort().map((n) => `- \`${n}\``),
    '',
    `### Added by the newest torch (${NEWEST_ADDITIONS.length} names)`,
    '',
    ...[...NEWEST_ADDITIONS].sort().map((n) => `- \`${n}\``),
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
