import rule from '../../../src/rules/ci/superfluous-actions.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release create v1\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: softprops/action-gh-release@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n      - uses: dtolnay/rust-toolchain@stable\n',
      errors: [
        { messageId: 'superfluous', line: 6, column: 15 },
        { messageId: 'superfluous', line: 7, column: 15 },
      ],
    },
  ],
});
