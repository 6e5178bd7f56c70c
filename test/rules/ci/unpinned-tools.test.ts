import rule from '../../../src/rules/ci/unpinned-tools.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aquasecurity/setup-trivy@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          version: v0.56.1\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aquasecurity/setup-trivy@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n      - uses: 1password/load-secrets-action@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          version: latest\n',
      errors: [
        { messageId: 'noVersion', line: 6, column: 15 },
        { messageId: 'latest', line: 9, column: 20 },
      ],
    },
  ],
});
