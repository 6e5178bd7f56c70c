import rule from '../../../src/rules/ci/ref-version-mismatch.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v3.8.2 # v3.8.1\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@1a4442cacd436585916779262731d5b162bc6ec7 # v9\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3.8.1\n',
      errors: [{ messageId: 'mismatch', line: 6, column: 15 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v300000.8.1\n',
      errors: [{ messageId: 'mismatch', line: 6, column: 15 }],
    },
    {
      pedantic: true,
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # pinned by hand\n',
      errors: [{ messageId: 'missing', line: 6, column: 15 }],
    },
  ],
});
