import rule from '../../../src/rules/ci/concurrency-limits.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\nconcurrency:\n  group: x\n  cancel-in-progress: true\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    concurrency:\n      group: x\n      cancel-in-progress: false\n    steps: []\n',
    'on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
      errors: [{ messageId: 'missing', line: 3, column: 3 }],
    },
    {
      code: 'on: push\nconcurrency: ci-${{ github.ref }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
      errors: [{ messageId: 'noCancel', line: 2, column: 14 }],
    },
  ],
});
