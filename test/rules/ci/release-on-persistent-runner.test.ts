import rule from '../../../src/rules/ci/release-on-persistent-runner.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on:\n  push:\n    tags: [v*]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n',
    // ciflow/* tags are CI for pull requests, not releases.
    'on:\n  push:\n    tags: [ciflow/xpu/*]\njobs:\n  a:\n    runs-on: linux.idc.xpu\n    steps:\n      - run: make test\n',
    // A persistent runner that neither builds for a release nor publishes.
    'on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps:\n      - run: make test\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  upload:\n    runs-on: linux.2xlarge\n    steps:\n      - run: twine upload dist/*\n',
      errors: [{ messageId: 'release', line: 4, column: 14 }],
    },
    {
      // The build job feeds the upload job through an artifact.
      code: 'on: push\njobs:\n  build:\n    runs-on: [self-hosted, linux.12xlarge]\n    steps:\n      - run: python setup.py bdist_wheel\n      - uses: actions/upload-artifact@0123456789abcdef0123456789abcdef01234567\n  upload:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: aws s3 cp dist/ s3://bucket/ --recursive\n',
      errors: [{ messageId: 'release', line: 4, column: 14 }],
    },
    {
      code: 'on:\n  release:\n    types: [published]\njobs:\n  build:\n    runs-on: macos-m1-stable\n    steps:\n      - run: make wheel\n',
      errors: [{ messageId: 'release', line: 6, column: 14 }],
    },
  ],
});
