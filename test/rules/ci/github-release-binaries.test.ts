import rule from '../../../src/rules/ci/github-release-binaries.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    // Source archives are fine (pytorch/pytorch create_release.yml).
    'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: softprops/action-gh-release@0123456789abcdef0123456789abcdef01234567\n        with:\n          files: |\n            pytorch-${{ github.ref_name }}.tar.gz\n            pytorch-${{ github.ref_name }}.tar.gz.sha256\n',
    'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release upload "$TAG" sdist/project-1.0.tar.gz --clobber\n',
  ],
  invalid: [
    {
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: softprops/action-gh-release@0123456789abcdef0123456789abcdef01234567\n        with:\n          files: dist/torch-2.5.0-cp312-cp312-manylinux_2_28_x86_64.whl\n',
      errors: [{ messageId: 'binary', line: 8, column: 18 }],
    },
    {
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release upload v1.0 --repo o/r build/app.exe\n',
      errors: [{ messageId: 'binary', line: 6, column: 14 }],
    },
    {
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ncipollo/release-action@0123456789abcdef0123456789abcdef01234567\n        with:\n          artifacts: dist/*\n',
      errors: [{ messageId: 'wildcard', line: 8, column: 22, severity: 'medium' }],
    },
    {
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: svenstaro/upload-release-action@0123456789abcdef0123456789abcdef01234567\n        with:\n          file: libtorch-macos-arm64-2.5.0.zip\n',
      errors: [{ messageId: 'binary', line: 8, column: 17 }],
    },
    {
      code: 'on: release\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: softprops/action-gh-release@0123456789abcdef0123456789abcdef01234567\n        with:\n          files:\n            - project-1.0.tar.gz\n            - dist/project-1.0-py3-none-any.whl\n',
      errors: [{ messageId: 'binary', line: 10, column: 15 }],
    },
  ],
});
