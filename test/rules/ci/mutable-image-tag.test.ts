import rule from '../../../src/rules/ci/mutable-image-tag.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    container: python@sha256:1111111111111111111111111111111111111111111111111111111111111111\n    services:\n      db:\n        image: postgres:16@sha256:2222222222222222222222222222222222222222222222222222222222222222\n    steps: []\n',
    // Scripts: digests, variables and non-docker commands are fine.
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          docker pull ghcr.io/o/i@sha256:4444444444444444444444444444444444444444444444444444444444444444\n          docker run --rm -v "$PWD:/w" "$IMAGE" make\n          echo docker run later\n',
    // An unresolvable expression is not judged.
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    container: ${{ needs.setup.outputs.image }}\n    steps: []\n',
  ],
  invalid: [
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n      image: continuumio/miniconda3:4.12.0\n    steps: []\n',
      errors: [{ messageId: 'tag', line: 5, column: 14, severity: 'medium' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      redis:\n        image: redis\n    steps:\n      - uses: docker://ghcr.io/o/tool:latest\n',
      errors: [
        { messageId: 'latest', line: 6, column: 16, severity: 'high' },
        { messageId: 'latest', line: 8, column: 15 },
      ],
    },
    {
      code: 'jobs:\n  a:\n    strategy:\n      matrix:\n        image: [ubuntu@sha256:3333333333333333333333333333333333333333333333333333333333333333, ubuntu:22.04]\n    runs-on: ubuntu-latest\n    container: ${{ matrix.image }}\n    steps: []\n',
      errors: [{ messageId: 'tag', line: 7, column: 16 }],
    },
    {
      // Images in scripts (PyTorch P5 beyond `container:`).
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker run --rm -e CI=1 -v ${{ github.workspace }}:/src pytorch/manylinux2_28-builder:cuda12.6 bash build.sh\n',
      errors: [{ messageId: 'scriptTag', line: 5, column: 14, severity: 'low' }],
    },
  ],
});
