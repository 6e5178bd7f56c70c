import rule from '../../../src/rules/ci/unverified-script-exec.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -fsSLo install.sh https://example.com/v1.2/install.sh && echo "$SUM  install.sh" | sha256sum -c && sh install.sh\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -LsSf https://astral.sh/uv/install.sh | sh\n',
      errors: [{ messageId: 'pipeToShell', line: 5, column: 14, severity: 'low' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          bash <(wget -qO- https://example.com/setup)\n',
      errors: [{ messageId: 'pipeToShell', line: 5, column: 14 }],
    },
  ],
});
