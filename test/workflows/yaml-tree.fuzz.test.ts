import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, makeLimits } from '../../src/core/limits.js';
import { runRules } from '../helpers/run-rules.js';
import { ciRules } from '../../src/rules/ci/index.js';
import { parseWorkflow } from '../../src/workflows/model.js';
import { EMPTY_INVENTORY } from '../../src/workflows/audit-input.js';
import { parseYamlTree } from '../../src/workflows/yaml-tree.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '300');

/** Parses and audits; the only allowed escape is a FormatError, and no rule may throw. */
function auditOrFormatError(
  text: string,
  kind: 'workflow' | 'action',
  limits = DEFAULT_LIMITS,
): void {
  let model;
  try {
    model = parseWorkflow(text, 'f.yml', kind, limits);
  } catch (error) {
    if (error instanceof FormatError) return;
    throw error;
  }
  runRules(
    ciRules,
    { workflow: model, runners: EMPTY_INVENTORY },
    { uri: 'f.yml', unit: 'char', options: {} },
    (id, error) => {
      throw new Error(`rule ${id} threw`, { cause: error });
    },
  );
}

// Fragments that exercise the model: keys the rules read, anchors, aliases, flow and block
// collections, expressions.
const FRAGMENTS = [
  'on: ',
  'pull_request_target',
  'workflow_run',
  'push',
  'jobs:',
  'steps:',
  'runs-on: ',
  'uses: ',
  'run: ',
  'with:',
  'env:',
  'ref: ',
  'secrets: inherit',
  'environment: ',
  'permissions: ',
  'write-all',
  'container: ',
  'services:',
  'image: ',
  'matrix:',
  'strategy:',
  'include:',
  'needs: ',
  'if: ',
  'runs:',
  'using: composite',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '<<: *a',
  '[',
  ']',
  '{',
  '}',
  ', ',
  '- ',
  '\n',
  '\n  ',
  '\n    ',
  '\n      ',
  '|',
  '>',
  '"',
  "'",
  '#',
  ' # torchward: ignore[ci/x] r',
  '${{ github.head_ref }}',
  '${{ matrix.os }}',
  '${{ inputs.runner }}',
  '${{',
  '}}',
  'actions/checkout@v4',
  './.github/actions/x',
  'docker://x:1',
  'twine upload dist/*',
  'gh release upload v1 a.whl',
  'gh pr merge',
  '${{ secrets.TOKEN }}',
  'linux.2xlarge',
  'self-hosted',
  'ubuntu-latest',
  'a',
  '1',
  'null',
  '~',
  '? ',
  ': ',
  '!!str ',
  '%YAML 1.2\n---\n',
  '---\n',
  '...\n',
  '\t',
  '\r\n',
  '\u00e9',
  '\ud83d\ude00',
  '\ud800',
];

test('arbitrary text: parse or FormatError, rules never throw', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 400 }),
      fc.constantFrom<'workflow' | 'action'>('workflow', 'action'),
      (text, kind) => {
        auditOrFormatError(text, kind);
      },
    ),
    { numRuns: RUNS },
  );
});

test('workflow-shaped fragments: parse or FormatError, rules never throw', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }),
      fc.constantFrom<'workflow' | 'action'>('workflow', 'action'),
      (parts, kind) => {
        auditOrFormatError(parts.join(''), kind);
      },
    ),
    { numRuns: RUNS },
  );
});

test('alias bombs of any width and depth stay within maxYamlAliases', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 500 }),
      (width, depth, maxYamlAliases) => {
        const lines = [`a0: &a0 [${Array.from({ length: width }, () => 'x').join(', ')}]`];
        for (let i = 1; i <= depth; i++) {
          lines.push(
            `a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`,
          );
        }
        const limits = makeLimits({ maxYamlAliases });
        try {
          parseYamlTree(lines.join('\n'), limits);
        } catch (error) {
          assert.ok(error instanceof FormatError);
          assert.equal(error.code, 'LIMIT_EXCEEDED');
        }
      },
    ),
    { numRuns: Math.min(RUNS, 300) },
  );
});

test('depth bombs fail with LIMIT_EXCEEDED, not a stack overflow', () => {
  for (const text of [
    '['.repeat(5000),
    `${'- '.repeat(3000)}x`,
    `${'{a: '.repeat(3000)}1${'}'.repeat(3000)}`,
  ]) {
    try {
      parseYamlTree(text, DEFAULT_LIMITS);
      assert.fail('expected a FormatError');
    } catch (error) {
      assert.ok(error instanceof FormatError, String(error));
      assert.equal(error.code, 'LIMIT_EXCEEDED');
    }
  }
});

test('long hostile lines are scanned in linear time by every rule', () => {
  // Each would be quadratic with a backtracking regex or a per-match rescan; at this size a
  // quadratic scan does not finish, so the test completing is the assertion.
  const many = (word: string): string => word.repeat(40_000);
  const scripts = [
    many('git fetch '),
    many('curl x '),
    many('gh release upload '),
    many('${{ github.event.issue.title '),
    many('[[[['),
  ];
  for (const script of scripts) {
    const text = `on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${JSON.stringify(script)}\n        if: ${JSON.stringify(many("contains('x"))}\n`;
    auditOrFormatError(text, 'workflow');
  }
});
