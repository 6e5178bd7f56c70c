import rule from '../../../src/rules/ci/archived-uses.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions-rs/cargo@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n',
      errors: [{ messageId: 'archived', line: 6, column: 15 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    uses: actions-rs/toolchain/.github/workflows/x.yml@v1\n',
      errors: [{ messageId: 'archived', line: 4, column: 11 }],
    },
  ],
});
