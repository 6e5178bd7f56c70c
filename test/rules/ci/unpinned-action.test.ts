import rule from '../../../src/rules/ci/unpinned-action.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v4.2.2\n      - uses: ./.github/actions/local\n      - uses: docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000\n',
    'jobs:\n  a:\n    uses: octo/shared/.github/workflows/ci.yml@0123456789abcdef0123456789abcdef01234567\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
      errors: [{ messageId: 'unpinned', line: 5, column: 15, endColumn: 34, severity: 'medium' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n',
      errors: [{ messageId: 'unpinned', line: 5, column: 15, severity: 'high' }],
    },
    {
      // tj-actions: a tag-pinned third-party action that receives a PAT.
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/eslint-changed-files@v25\n        with:\n          token: ${{ secrets.PAT_TOKEN }}\n',
      errors: [{ messageId: 'unpinnedWithSecrets', line: 5, column: 15, severity: 'critical' }],
    },
    {
      code: 'jobs:\n  a:\n    uses: octo/shared/.github/workflows/ci.yml@main\n',
      errors: [{ messageId: 'unpinned', line: 3, column: 11 }],
    },
    {
      kind: 'action',
      code: 'runs:\n  using: composite\n  steps:\n    - uses: reviewdog/action-setup@v1\n',
      errors: [{ messageId: 'unpinned', line: 4, column: 13 }],
    },
  ],
});
