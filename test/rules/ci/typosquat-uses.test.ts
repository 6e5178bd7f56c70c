import rule from '../../../src/rules/ci/typosquat-uses.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/chekout@v4\n      - uses: my-org/checkout@v4\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: action/checkout@v4\n      - uses: dokcer/login-action@v3\n',
      errors: [
        { messageId: 'lookalike', line: 6, column: 15 },
        { messageId: 'lookalike', line: 7, column: 15 },
      ],
    },
  ],
});
