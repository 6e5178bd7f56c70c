import rule from '../../../src/rules/ci/excessive-permissions.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps: []\n',
    'on: push\npermissions:\n  contents: read\njobs: {}\n',
    // A reusable workflow takes its caller's token.
    'on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
    // Every job declares its own permissions.
    'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      pull-requests: write\n    steps: []\n',
    {
      // A call to a local reusable workflow that restricts every job of its own.
      code: 'on: push\njobs:\n  a:\n    uses: ./.github/workflows/child.yml\n',
      files: {
        '.github/workflows/child.yml':
          'on: workflow_call\njobs:\n  b:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - run: make\n',
      },
    },
  ],
  invalid: [
    {
      code: 'on: push\npermissions: read-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
      errors: [{ messageId: 'readAll', line: 2, column: 14, severity: 'low' }],
    },
    {
      // The call passes the default token on and the called workflow does not restrict it.
      code: 'on: push\njobs:\n  a:\n    uses: ./.github/workflows/child.yml\n',
      files: {
        '.github/workflows/child.yml':
          'on: workflow_call\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
      },
      errors: [{ messageId: 'missing', line: 1, column: 1 }],
    },
    {
      // A called workflow that cannot be read: whether it restricts the token is unknown.
      code: 'on: push\njobs:\n  a:\n    uses: octo/repo/.github/workflows/ci.yml@0123456789abcdef0123456789abcdef01234567\n',
      errors: [{ messageId: 'missing', line: 1, column: 1 }],
    },
    {
      code: 'on: push\npermissions: write-all\njobs: {}\n',
      errors: [{ messageId: 'writeAll', line: 2, column: 14, severity: 'high' }],
    },
    {
      // PyTorch's generated nightly workflows grant id-token: write to every job.
      code: 'on: push\npermissions:\n  id-token: write\n  contents: read\njobs: {}\n',
      errors: [{ messageId: 'workflowWrite', line: 3, column: 3 }],
    },
    {
      code: 'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
      errors: [{ messageId: 'missingRisky', line: 1, column: 1, severity: 'medium' }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
      errors: [{ messageId: 'missing', line: 1, column: 1, severity: 'low' }],
    },
    {
      code: 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: write-all\n    steps: []\n',
      errors: [{ messageId: 'writeAll', line: 6, column: 18 }],
    },
  ],
});
