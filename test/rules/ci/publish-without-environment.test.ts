import rule from '../../../src/rules/ci/publish-without-environment.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n',
    // A conditional environment (pytorch/test-infra _binary_upload.yml) counts.
    "on: push\njobs:\n  upload:\n    runs-on: ubuntu-latest\n    environment: ${{ startsWith(github.ref, 'refs/tags/v') && 'pytorchbot-env' || '' }}\n    steps:\n      - run: twine upload dist/*\n",
    // The called upload job has its own environment: its credential can live there.
    {
      code: 'on: push\njobs:\n  upload:\n    uses: ./.github/workflows/publish.yml\n    secrets: inherit\n',
      files: {
        '.github/workflows/publish.yml':
          'on: workflow_call\njobs:\n  up:\n    runs-on: ubuntu-latest\n    environment: release\n    steps:\n      - run: aws s3 cp x s3://b/\n',
      },
    },
    // A GitHub Release upload with the run's own token.
    'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - run: gh release upload "$TAG" src.tar.gz\n        env:\n          GH_TOKEN: ${{ github.token }}\n',
    // A rehearsal uploads nothing.
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo publish --workspace --dry-run\n',
    // docker/build-push-action without push only builds.
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@0123456789abcdef0123456789abcdef01234567\n        with:\n          push: false\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  upload:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: aws s3 cp dist/ s3://pytorch/whl/ --recursive\n',
      errors: [{ messageId: 'noEnvironment', line: 3, column: 3 }],
    },
    {
      code: 'on: push\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    steps:\n      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n',
      errors: [{ messageId: 'repoSecrets', line: 3, column: 3 }],
    },
    {
      // A GitHub Release upload with a stored personal access token.
      code: 'on: release\njobs:\n  assets:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release upload "$TAG" src.tar.gz\n        env:\n          GH_TOKEN: ${{ secrets.RELEASE_PAT }}\n',
      errors: [{ messageId: 'repoSecrets', line: 3, column: 3 }],
    },
    {
      // Secrets passed by a caller are repository or organisation secrets (PyTorch's nightly wheels).
      code: 'on: push\njobs:\n  upload:\n    uses: ./.github/workflows/_binary-upload.yml\n    secrets:\n      r2-key: ${{ secrets.R2_SECRET_ACCESS_KEY }}\n',
      files: {
        '.github/workflows/_binary-upload.yml':
          'on: workflow_call\njobs:\n  up:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: aws s3 cp x s3://b/ --endpoint-url https://r2\n',
      },
      errors: [{ messageId: 'callerSecrets', line: 6, column: 7 }],
    },
  ],
});
