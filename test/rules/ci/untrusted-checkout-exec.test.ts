import rule from '../../../src/rules/ci/untrusted-checkout-exec.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    // pull_request runs without secrets: checking out the head is its purpose.
    'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make test\n',
    // pull_request_target checking out the base code only.
    'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.base.sha }}\n      - run: make test\n',
    // PR code checked out but only read, never built or run (labeler-style).
    'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo done\n',
  ],
  invalid: [
    {
      code: 'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm test\n',
      errors: [{ messageId: 'checkoutExec', line: 8, column: 16, severity: 'critical' }],
    },
    {
      // The ref comes from a step output (spotbugs/sonar-findbugs): any computed ref is suspect.
      code: 'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - id: ref\n        run: echo "ref=refs/pull/${{ github.event.number }}/merge" >> "$GITHUB_OUTPUT"\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ steps.ref.outputs.ref }}\n      - run: ./mvnw verify\n',
      errors: [{ messageId: 'checkoutExec', line: 10, column: 16 }],
    },
    {
      code: 'on: issue_comment\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr checkout ${{ github.event.issue.number }}\n      - run: pip install -e .\n',
      errors: [{ messageId: 'checkoutExec', line: 6, column: 14 }],
    },
    {
      // The PR code runs inside a local composite action.
      code: 'on: workflow_run\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n      - uses: ./.github/actions/build\n',
      files: {
        '.github/actions/build':
          'runs:\n  using: composite\n  steps:\n    - run: make\n      shell: bash\n',
      },
      errors: [{ messageId: 'checkoutExec', line: 8, column: 16 }],
    },
    {
      // A local reusable workflow runs under the caller's trigger.
      code: 'on: pull_request_target\njobs:\n  a:\n    uses: ./.github/workflows/build.yml\n',
      files: {
        '.github/workflows/build.yml':
          'on: workflow_call\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make\n',
      },
      errors: [{ messageId: 'checkoutExec', line: 4, column: 11 }],
    },
  ],
});
