import rule from '../../../src/rules/ci/undocumented-permissions.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\npermissions:\n  contents: read\n  issues: write # to label new issues\n  # to publish packages\n  packages: write\njobs: {}\n',
  ],
  invalid: [
    {
      code: 'on: push\npermissions:\n  contents: write\n  pull-requests: none\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps: []\n',
      errors: [
        { messageId: 'undocumented', line: 3, column: 3 },
        { messageId: 'undocumented', line: 9, column: 7 },
      ],
    },
  ],
});
