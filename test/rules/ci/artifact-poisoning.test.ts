import rule from '../../../src/rules/ci/artifact-poisoning.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    // Same-run artifacts in a push workflow.
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@0123456789abcdef0123456789abcdef01234567\n      - run: echo "X=1" >> "$GITHUB_ENV"\n',
    // workflow_run download into a job with no secrets and no env writes.
    'on: workflow_run\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@0123456789abcdef0123456789abcdef01234567\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n      - run: cat report.txt\n',
  ],
  invalid: [
    {
      // GHSL-2024-177 (Litestar docs preview).
      code: 'on: workflow_run\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: dawidd6/action-download-artifact@0123456789abcdef0123456789abcdef01234567\n      - run: echo "PR=$(cat pr/number)" >> $GITHUB_ENV\n      - run: ./deploy.sh\n        env:\n          TOKEN: ${{ secrets.DOCS_PREVIEW_DEPLOY_TOKEN }}\n',
      errors: [{ messageId: 'envFromArtifact', line: 6, column: 15 }],
    },
    {
      code: 'on: workflow_run\njobs:\n  stats:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh run download "$RUN_ID"\n      - run: python upload.py\n        env:\n          KEY: ${{ secrets.STATS_KEY }}\n',
      errors: [{ messageId: 'privilegedConsumer', line: 6, column: 9 }],
    },
    {
      // A pull_request_target run writes caches into the base branch's scope.
      code: 'on: pull_request_target\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@0123456789abcdef0123456789abcdef01234567\n        with:\n          cache: npm\n',
      errors: [{ messageId: 'cacheInPrivileged', line: 6, column: 15, severity: 'medium' }],
    },
  ],
});
