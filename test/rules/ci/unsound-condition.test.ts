import rule from '../../../src/rules/ci/unsound-condition.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    "jobs:\n  a:\n    if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}\n    runs-on: ubuntu-latest\n    steps:\n      - if: contains(fromJSON('[\"main\"]'), github.ref_name)\n        run: echo\n",
  ],
  invalid: [
    {
      code: "jobs:\n  a:\n    if: ${{ github.event_name == 'push' }} && ${{ github.ref == 'refs/heads/main' }}\n    runs-on: ubuntu-latest\n    steps: []\n",
      errors: [{ messageId: 'alwaysTrue', line: 3, column: 9 }],
    },
    {
      code: "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - if: |\n          ${{ github.ref == 'refs/heads/main' }}\n        run: ./deploy\n",
      errors: [{ messageId: 'alwaysTrue', line: 5, column: 13 }],
    },
    {
      code: "jobs:\n  a:\n    if: contains('refs/heads/main refs/heads/release', github.ref)\n    runs-on: ubuntu-latest\n    steps: []\n",
      errors: [{ messageId: 'substringContains', line: 3, column: 9, severity: 'medium' }],
    },
  ],
});
