import rule from '../../../src/rules/ci/merge-job-hardening.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: repository_dispatch\njobs:\n  merge:\n    runs-on: ubuntu-latest\n    environment: mergebot\n    steps:\n      - run: python3 .github/scripts/trymerge.py "$PR"\n',
    'on: push\njobs:\n  a:\n    runs-on: linux.2xlarge\n    steps:\n      - run: git merge-base HEAD main\n',
  ],
  invalid: [
    {
      // pytorch/pytorch trymerge.yml (older): repository secret, no environment; its
      // `linux.20_04.4x` is a GitHub larger-runner name (GitHub-hosted), so no runner finding.
      code: 'on: repository_dispatch\njobs:\n  do_merge:\n    runs-on: linux.20_04.4x\n    steps:\n      - run: python3 .github/scripts/trymerge.py "$PR"\n        env:\n          GITHUB_TOKEN: ${{ secrets.MERGEBOT_TOKEN }}\n',
      errors: [{ messageId: 'noEnvironment', line: 3, column: 3 }],
    },
    {
      code: 'on: repository_dispatch\njobs:\n  do_merge:\n    runs-on: [self-hosted, linux.4xlarge]\n    environment: mergebot\n    steps:\n      - run: python3 .github/scripts/trymerge.py "$PR"\n',
      errors: [{ messageId: 'persistentRunner', line: 4, column: 14 }],
    },
    {
      code: 'on: pull_request_target\njobs:\n  automerge:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr merge --auto --squash "$URL"\n',
      errors: [{ messageId: 'noEnvironment', line: 3, column: 3 }],
    },
  ],
});
