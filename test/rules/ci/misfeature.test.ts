import rule from '../../../src/rules/ci/misfeature.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        shell: bash -e {0}\n      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n",
  ],
  invalid: [
    {
      code: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v6\n        with:\n          pip-install: '.[dev]'\n",
      errors: [{ messageId: 'pipInstall', line: 8, column: 11 }],
    },
    {
      code: 'on: push\ndefaults:\n  run:\n    shell: cmd\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: echo\n        shell: perl {0}\n',
      errors: [{ messageId: 'cmdShell', line: 4, column: 12 }],
    },
    {
      pedantic: true,
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        shell: perl {0}\n',
      errors: [{ messageId: 'customShell', line: 7, column: 16 }],
    },
  ],
});
