import rule from '../../../src/rules/ci/secrets-on-persistent-runner.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy\n        env:\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n',
    // GITHUB_TOKEN is minted per run.
    'on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps:\n      - run: gh api user\n        env:\n          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n',
  ],
  invalid: [
    {
      code: 'on:\n  workflow_run:\n    workflows: [pull]\njobs:\n  upload:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps:\n      - run: python upload_stats.py\n        env:\n          API_KEY: ${{ secrets.ROCKSET_API_KEY }}\n',
      errors: [{ messageId: 'secrets', line: 10, column: 20 }],
    },
    {
      // Expressions are case-insensitive: `SECRETS.X` is the same secret.
      code: 'on: push\njobs:\n  a:\n    runs-on: [self-hosted]\n    steps:\n      - run: echo ${{ SECRETS.DEPLOY_KEY }}\n',
      errors: [{ messageId: 'secrets', line: 6, column: 19 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    uses: ./.github/workflows/up.yml\n    secrets: inherit\n',
      files: {
        '.github/workflows/up.yml':
          'on: workflow_call\njobs:\n  b:\n    runs-on: self-hosted\n    steps:\n      - run: echo hi\n',
      },
      errors: [{ messageId: 'passed', line: 4, column: 11 }],
    },
  ],
});
