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
    // Boolean results carry no text: comparisons, contains(), startsWith(), !
    "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title == 'x' }} ${{ contains(github.event.issue.body, 'y') }} ${{ startsWith(github.head_ref, 'r/') }} ${{ !github.event.issue.title }}\n",
    // A pseudo-ternary whose arms are literals yields only those literals
    "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title && 'yes' || 'no' }}\n",
    // An input of an action that does not run it as code
    'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/other-action@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: ${{ github.event.issue.title }}\n',
    // A code input that only reads trusted contexts
    "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: mikefarah/yq@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          cmd: yq '.version' ${{ github.workspace }}/x.yml\n",
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
    {
      // yq's cmd is a yq program
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: mikefarah/yq@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          cmd: yq \'.a = "${{ github.event.issue.title }}"\' f.yml\n',
      errors: [{ messageId: 'codeInput', line: 8, column: 26 }],
    },
    {
      // azure/cli inlineScript is a shell script
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: azure/cli@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          inlineScript: az group create -n ${{ github.event.issue.body }}\n',
      errors: [{ messageId: 'codeInput', line: 8, column: 44 }],
    },
    {
      // run-python-style actions run the script as Python
      code: "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: jannekem/run-python-script-action@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: print('${{ github.event.issue.title }}')\n",
      errors: [{ messageId: 'codeInput', line: 8, column: 26 }],
    },
    {
      // docker:// steps pass args to the entrypoint
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://alpine@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n        with:\n          args: sh -c "echo ${{ github.event.issue.title }}"\n',
      errors: [{ messageId: 'codeInput', line: 8, column: 29 }],
    },
    {
      // One finding per expression, however many contexts it names
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title || github.event.issue.body }}\n',
      errors: [{ messageId: 'run', line: 6, column: 19 }],
    },
    {
      // format() and toJSON() of a part of the event pass the text on
      code: "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ format('{0}', github.event.issue.title) }} '${{ toJson(github.event.pull_request.head) }}'\n",
      errors: [
        { messageId: 'run', line: 6, column: 19 },
        { messageId: 'run', line: 6, column: 67 },
      ],
    },
    {
      // Through env: the nearest definition (step, job, workflow) decides; static values are fine.
      code: 'on: issues\nenv:\n  W: ${{ github.event.issue.title }}\n  S: static\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      J: ${{ github.event.issue.body }}\n      W: shadowed\n    steps:\n      - run: echo ${{ env.J }} ${{ env.W }} ${{ env.S }} ${{ env.T }}\n        env:\n          T: ${{ github.head_ref }}\n      - run: echo ${{ env.W }}\n        env:\n          W: ${{ github.event.comment.body }}\n',
      errors: [
        { messageId: 'run', line: 12, column: 19 },
        { messageId: 'run', line: 12, column: 58 },
        { messageId: 'run', line: 15, column: 19 },
      ],
    },
    {
      // Through a matrix value (a list entry or an include: entry).
      code: 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        x: [a, b]\n        include:\n          - y: ${{ github.event.issue.title }}\n    steps:\n      - run: echo ${{ matrix.x }} ${{ matrix.y }}\n',
      errors: [{ messageId: 'run', line: 11, column: 35 }],
    },
    {
      // Pedantic mode: every other expression in code is a code smell (zizmor's pedantic persona).
      code: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event_name }} ${{ github.event.issue.title }}\n      - if: github.event_name == 'push'\n        run: echo hi\n",
      pedantic: true,
      errors: [
        { messageId: 'smell', line: 6, column: 19, severity: 'low' },
        { messageId: 'run', line: 6, column: 44 },
      ],
    },
  ],
});
