import rule from '../../../src/rules/ci/github-env.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "X=1" >> "$GITHUB_ENV"\n',
    'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$GITHUB_ENV is a file"\n',
  ],
  invalid: [
    {
      code: 'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "VERSION=$(cat VERSION)" >> "$GITHUB_ENV"\n',
      errors: [{ messageId: 'write', line: 6, column: 14 }],
    },
    {
      code: 'on: workflow_run\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo "$PWD/bin" | tee -a $GITHUB_PATH\n',
      errors: [{ messageId: 'write', line: 6, column: 14 }],
    },
  ],
});
