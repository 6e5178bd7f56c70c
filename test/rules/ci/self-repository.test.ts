import rule from '../../../src/rules/ci/self-repository.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: $/.github/actions/setup\n',
    'on: push\njobs:\n  a:\n    uses: $/.github/workflows/x.yml\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n',
      errors: [{ messageId: 'workspaceRelative', line: 6, column: 15 }],
    },
  ],
});
