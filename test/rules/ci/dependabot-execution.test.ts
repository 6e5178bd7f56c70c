import rule from '../../../src/rules/ci/dependabot-execution.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    {
      kind: 'dependabot',
      code: 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    insecure-external-code-execution: deny\n',
    },
  ],
  invalid: [
    {
      kind: 'dependabot',
      code: 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    insecure-external-code-execution: allow\n',
      errors: [{ messageId: 'allow', line: 5, column: 39 }],
    },
  ],
});
