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
    // setup-uv from v10 caches only with an explicit `true`; a SHA pin's comment gives its version.
    'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: astral-sh/setup-uv@ae62891fec2bb8e7d6c99fc78c9fec3a63790f8d # v10.0.0\n',
    // setup-node before v5 caches only with `cache:`; ramsey/composer-install with ignore-cache: yes.
    'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0\n      - uses: ramsey/composer-install@3cf229dc2919194e9e36783941438d17239e8520 # 3.1.1\n        with:\n          ignore-cache: yes\n',
    // On a `release` event github.ref is the tag's ref, so this toggle is off there.
    "on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: astral-sh/setup-uv@38f3f104447c67c051c4a08e39b64a148898af3a\n        with:\n          enable-cache: ${{ github.ref == 'refs/heads/main' }}\n",
    // A job guarded away from every release trigger.
    "on:\n  release:\n  pull_request:\njobs:\n  a:\n    if: github.event_name == 'pull_request'\n    runs-on: ubuntu-latest\n    steps:\n      - uses: Swatinem/rust-cache@82a92a6e8fbeee089604da2575dc567ae9ddeaab\n",
  ],
  invalid: [
    {
      // A job of a release-triggered workflow restores a default-on cache, though it builds nothing.
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: Swatinem/rust-cache@82a92a6e8fbeee089604da2575dc567ae9ddeaab\n',
      errors: [{ messageId: 'cache', line: 6, column: 15 }],
    },
    {
      // setup-uv before v10 (from the pin's comment) caches by default; setup-node v5+ too.
      code: 'on:\n  push:\n    tags: [v*]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: astral-sh/setup-uv@d9e0f98d3fc6adb07d1e3d37f3043649ddad06a1 # v6.5.0\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@395ad3262231945c25e8478fd5baf05154b1d79f # v6.1.0\n  c:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ramsey/composer-install@3cf229dc2919194e9e36783941438d17239e8520 # 3.1.1\n',
      errors: [
        { messageId: 'cache', line: 8, column: 15 },
        { messageId: 'cache', line: 12, column: 15 },
        { messageId: 'cache', line: 16, column: 15 },
      ],
    },
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
