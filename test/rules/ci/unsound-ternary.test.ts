import rule from '../../../src/rules/ci/unsound-ternary.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        env:\n          V: ${{ github.event_name == 'push' && 'a' || 'b' }}\n",
    "on: push\njobs:\n  a:\n    if: github.ref == 'refs/heads/main' && true\n    runs-on: ubuntu-latest\n    steps: []\n",
  ],
  invalid: [
    {
      code: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        env:\n          V: ${{ github.event_name == 'push' && '' || 'fallback' }}\n",
      errors: [{ messageId: 'falsyArm', line: 8, column: 14 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    if: inputs.x && false || inputs.y\n    runs-on: ubuntu-latest\n    steps: []\n',
      errors: [{ messageId: 'falsyArm', line: 4, column: 9 }],
    },
  ],
});
