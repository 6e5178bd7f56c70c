import rule from '../../../src/rules/ci/release-build-cache.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    // Caches in ordinary CI are fine.
    'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567\n        with:\n          cache: pip\n      - run: pytest\n',
    // A cold-start release build.
    'on:\n  push:\n    tags: [v*]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n      - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567\n      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n',
    // The toggle turns the cache off for tags (zizmor #1940).
    "on:\n  push:\n    tags: [v*]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: PyO3/maturin-action@0123456789abcdef0123456789abcdef01234567\n        with:\n          sccache: ${{ !startsWith(github.ref, 'refs/tags/') }}\n      - run: make\n",
  ],
  invalid: [
    {
      code: 'on:\n  push:\n    branches: [main]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n      - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567\n        with:\n          cache: pip\n      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n',
      errors: [{ messageId: 'cache', line: 9, column: 15 }],
    },
    {
      // sccache switched on only through env, as in PyTorch's _linux-build.yml.
      code: 'on:\n  push:\n    tags: [v*]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      SCCACHE_BUCKET: ossci-compiler-cache\n    steps:\n      - run: python setup.py bdist_wheel\n',
      errors: [{ messageId: 'cache', line: 8, column: 7 }],
    },
    {
      code: 'on: release\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@0123456789abcdef0123456789abcdef01234567\n        with:\n          path: ~/.cache\n          key: k\n      - run: make\n',
      errors: [{ messageId: 'cache', line: 6, column: 15 }],
    },
    {
      // A reusable workflow called from a release workflow restores a cache.
      code: 'on:\n  push:\n    tags: [v*]\njobs:\n  build:\n    uses: ./.github/workflows/build.yml\n',
      files: {
        '.github/workflows/build.yml':
          'on: workflow_call\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: Swatinem/rust-cache@0123456789abcdef0123456789abcdef01234567\n      - run: cargo build --release\n',
      },
      errors: [{ messageId: 'cache', line: 6, column: 11 }],
    },
  ],
});
