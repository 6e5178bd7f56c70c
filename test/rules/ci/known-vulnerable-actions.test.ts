import rule from '../../../src/rules/ci/known-vulnerable-actions.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v46\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v46.0.1\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@v4\n      - uses: actions/download-artifact@v3\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: reviewdog/action-setup@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@0e58ed8671d6b60d0890c21b07f8835ace038e67\n',
      errors: [{ messageId: 'compromised', line: 6, column: 15 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v45\n      - uses: actions/download-artifact@v4.1.2\n      - uses: reviewdog/action-setup@f0d342d24037bb11d26b9bd8496e0808ba32e9ec\n',
      errors: [
        { messageId: 'vulnerable', line: 6, column: 15 },
        { messageId: 'vulnerable', line: 7, column: 15 },
        { messageId: 'compromised', line: 8, column: 15 },
      ],
    },
  ],
});
