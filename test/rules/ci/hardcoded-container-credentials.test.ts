import rule from '../../../src/rules/ci/hardcoded-container-credentials.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n      image: ghcr.io/o/i@sha256:0000000000000000000000000000000000000000000000000000000000000000\n      credentials:\n        username: bot\n        password: ${{ secrets.GHCR_TOKEN }}\n    steps: []\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: registry.example/db:1\n        credentials:\n          username: ci\n          password: hunter2\n    steps: []\n',
      errors: [{ messageId: 'literalPassword', line: 9, column: 21 }],
    },
  ],
});
