import rule from '../../../src/rules/ci/bot-conditions.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    "on: pull_request_target\njobs:\n  a:\n    if: github.event.pull_request.user.login == 'dependabot[bot]'\n    runs-on: ubuntu-latest\n    steps: []\n",
    "on: push\njobs:\n  a:\n    if: github.actor == 'dependabot[bot]'\n    runs-on: ubuntu-latest\n    steps: []\n",
  ],
  invalid: [
    {
      code: 'on: pull_request_target\njobs:\n  a:\n    if: github.actor == \'dependabot[bot]\'\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr merge --auto "$URL"\n',
      errors: [{ messageId: 'spoofable', line: 4, column: 9 }],
    },
    {
      code: "on: workflow_run\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - if: ${{ 'renovate[bot]' == github.triggering_actor }}\n        run: echo approve\n",
      errors: [{ messageId: 'spoofable', line: 6, column: 13 }],
    },
  ],
});
