import rule from '../../../src/rules/ci/secrets-inherit.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    uses: ./.github/workflows/up.yml\n    secrets:\n      token: ${{ secrets.UPLOAD_TOKEN }}\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    uses: ./.github/workflows/up.yml\n    secrets: inherit\n',
      errors: [{ messageId: 'inherit', line: 4, column: 14 }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$ALL" > secrets.json\n        env:\n          ALL: ${{ toJSON(secrets) }}\n',
      errors: [{ messageId: 'allSecrets', line: 7, column: 16, severity: 'high' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./x\n        env:\n          ALL: ${{ toJSON(Secrets) }}\n',
      errors: [{ messageId: 'allSecrets', line: 7, column: 16, severity: 'high' }],
    },
    {
      code: "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./x\n        env:\n          K: ${{ secrets[format('KEY_{0}', matrix.n)] }}\n",
      errors: [{ messageId: 'allSecrets', line: 7, column: 14 }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./x\n        env:\n          P: ${{ fromJSON(secrets.CREDS).password }}\n',
      errors: [{ messageId: 'unredacted', line: 7, column: 14 }],
    },
  ],
});
