import rule from '../../../src/rules/ci/insecure-commands.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'env:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: false\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "::set-env name=A::b"\n        env:\n          ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n',
      errors: [{ messageId: 'enabled', line: 7, column: 11 }],
    },
    {
      code: "env:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: 'true'\njobs: {}\n",
      errors: [{ messageId: 'enabled', line: 2, column: 3 }],
    },
  ],
});
