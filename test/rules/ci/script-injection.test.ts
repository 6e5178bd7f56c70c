import rule from '../../../src/rules/ci/script-injection.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    // The safe pattern: the value goes through env and is quoted in the shell.
    'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$TITLE"\n        env:\n          TITLE: ${{ github.event.pull_request.title }}\n',
    // SHAs and numbers are not free text.
    'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: git checkout ${{ github.event.pull_request.head.sha }} && echo ${{ github.event.number }}\n',
    // Workflow inputs come from maintainers (workflow_dispatch) and are not judged here.
    'on: workflow_dispatch\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ inputs.version }}\n',
    // A quoted string literal mentioning a context is not a reference.
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ format('github.head_ref') }}\n",
  ],
  invalid: [
    {
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
      errors: [{ messageId: 'run', line: 6, column: 20, endColumn: 51 }],
    },
    {
      code: 'on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          git pull origin ${{ github.head_ref }}\n',
      errors: [{ messageId: 'run', line: 7, column: 27, endColumn: 49 }],
    },
    {
      code: 'on: issue_comment\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: console.log("${{ github.event.comment.body }}")\n',
      errors: [{ messageId: 'script', line: 8, column: 32 }],
    },
    {
      // Composite actions see the same github context.
      kind: 'action',
      code: 'runs:\n  using: composite\n  steps:\n    - run: echo ${{ github.event.workflow_run.head_branch }}\n      shell: bash\n',
      errors: [{ messageId: 'run', line: 4, column: 17 }],
    },
    {
      code: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo '${{ toJSON(github.event.head_commit) }}'\n",
      errors: [{ messageId: 'run', line: 6, column: 20 }],
    },
    {
      kind: 'action',
      code: 'runs:\n  using: composite\n  steps:\n    - run: git config user.name "${{ inputs.github_username }}"\n      shell: bash\n',
      errors: [{ messageId: 'actionInput', line: 4, column: 34, severity: 'medium' }],
    },
  ],
});
