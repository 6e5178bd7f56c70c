import rule from '../../../src/rules/ci/dangerous-trigger.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: ['on: pull_request\njobs: {}\n', 'on:\n  push:\n    branches: [main]\njobs: {}\n'],
  invalid: [
    {
      code: 'on:\n  pull_request_target:\n    types: [labeled]\njobs: {}\n',
      errors: [{ messageId: 'trigger', line: 2, column: 3, endColumn: 22, severity: 'low' }],
    },
    {
      code: 'on: [push, workflow_run]\njobs: {}\n',
      errors: [{ messageId: 'trigger', line: 1, column: 12 }],
    },
  ],
});
