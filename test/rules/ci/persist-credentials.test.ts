import rule from '../../../src/rules/ci/persist-credentials.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          persist-credentials: false\n',
    // A later push needs the credential.
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n      - run: git commit -am fmt && git push\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n',
      errors: [{ messageId: 'persisted', line: 5, column: 15, severity: 'medium' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n      - uses: actions/upload-artifact@0123456789abcdef0123456789abcdef01234567\n        with:\n          path: .\n',
      errors: [{ messageId: 'artipacked', line: 5, column: 15, severity: 'high' }],
    },
  ],
});
