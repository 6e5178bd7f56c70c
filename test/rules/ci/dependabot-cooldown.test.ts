import rule from '../../../src/rules/ci/dependabot-cooldown.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    {
      kind: 'dependabot',
      code: 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    cooldown:\n      default-days: 7\n',
    },
  ],
  invalid: [
    {
      kind: 'dependabot',
      code: 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: daily\n',
      errors: [{ messageId: 'missing', line: 3, column: 5 }],
    },
    {
      kind: 'dependabot',
      code: 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    cooldown:\n      default-days: 1\n  - package-ecosystem: pip\n    directory: /\n    cooldown: {}\n',
      errors: [
        { messageId: 'tooShort', line: 6, column: 21 },
        { messageId: 'missing', line: 9, column: 5 },
      ],
    },
  ],
});
