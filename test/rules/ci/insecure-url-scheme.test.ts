import rule from '../../../src/rules/ci/insecure-url-scheme.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    {
      kind: 'pre-commit',
      code: 'repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v2.3.0\n    hooks:\n      - id: check-yaml\n',
    },
    { kind: 'pre-commit', code: 'repos:\n  - repo: local\n    hooks: []\n' },
  ],
  invalid: [
    {
      kind: 'pre-commit',
      code: 'repos:\n  - repo: http://github.com/pre-commit/pre-commit-hooks\n    rev: v2.3.0\n  - repo: git://github.com/pre-commit/pre-commit-hooks\n    rev: v2.3.0\n',
      errors: [
        { messageId: 'insecure', line: 2, column: 11 },
        { messageId: 'insecure', line: 4, column: 11 },
      ],
    },
    {
      kind: 'dependabot',
      code: 'version: 2\nregistries:\n  npm-internal:\n    type: npm-registry\n    url: http://npm.example.com\n',
      errors: [{ messageId: 'insecure', line: 5, column: 10 }],
    },
  ],
});
