import rule from '../../../src/rules/ci/anonymous-definition.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'name: CI\non: push\njobs: {}\n',
    { kind: 'action', code: 'name: My action\nruns:\n  using: composite\n  steps: []\n' },
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
      errors: [{ messageId: 'workflow', line: 1, column: 1 }],
    },
    {
      kind: 'action',
      code: 'description: x\nruns:\n  using: composite\n  steps: []\n',
      errors: [{ messageId: 'action', line: 1, column: 1 }],
    },
  ],
});
