import rule from '../../../src/rules/ci/obfuscation.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ format('{0}', github.sha) }} ${{ hashFiles('x') }}\n      - uses: actions/checkout@v4\n",
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache/./save@v4\n      - uses: github/codeql-action//init@v3\n',
      errors: [
        { messageId: 'usesPath', line: 6, column: 15 },
        { messageId: 'usesPath', line: 7, column: 15 },
      ],
    },
    {
      code: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          repository: ${{ format('{0}/{1}', 'octocat', 'hello') }}\n      - run: echo ${{ fromJSON(toJSON(github.sha)) }}\n",
      errors: [
        { messageId: 'expression', line: 8, column: 23 },
        { messageId: 'expression', line: 9, column: 19 },
      ],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: ${{ fromJSON(inputs.opts) }}\n',
      errors: [{ messageId: 'withExpression', line: 7, column: 15 }],
    },
  ],
});
