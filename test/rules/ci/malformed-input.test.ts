import rule from '../../../src/rules/ci/malformed-input.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: ['on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n'],
  invalid: [
    {
      // A duplicate key: GitHub rejects the file, other parsers keep the last value.
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    runs-on: linux.2xlarge\n',
      errors: [{ messageId: 'yaml', line: 5, column: 5 }],
    },
    {
      // `jobs:` with no value: GitHub refuses the file; the audit must not call it clean.
      code: 'on: push\njobs:\n',
      errors: [{ messageId: 'structure', line: 2, column: 1 }],
    },
    {
      // A local action the audit cannot read is reported, not skipped.
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/missing\n',
      errors: [{ messageId: 'unresolved', line: 6, column: 15 }],
    },
  ],
});
