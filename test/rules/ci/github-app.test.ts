import rule from '../../../src/rules/ci/github-app.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/create-github-app-token@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          app-id: 1\n          private-key: ${{ secrets.KEY }}\n          owner: org\n          repositories: repo\n          permission-contents: read\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/create-github-app-token@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          permission-issues: write\n          skip-token-revoke: true\n',
      errors: [{ messageId: 'noRevoke', line: 9, column: 30 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/create-github-app-token@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          owner: org\n',
      errors: [
        { messageId: 'allPermissions', line: 6, column: 15 },
        { messageId: 'allRepos', line: 8, column: 18 },
      ],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/create-github-app-token@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          repositories: x\n          permission-contents: read\n          skip-token-revoke: ${{ inputs.keep }}\n',
      errors: [{ messageId: 'maybeNoRevoke', line: 10, column: 30 }],
    },
  ],
});
