import rule from '../../../src/rules/ci/use-trusted-publishing.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'jobs:\n  a:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n',
    // With id-token: write (job, or workflow when the job sets none) the upload may use OIDC.
    'on: push\npermissions:\n  id-token: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: twine upload dist/*\n      - run: bun publish\n',
    // Rehearsals, and words that only look alike.
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: |\n          cargo publish --dry-run\n          npm publish --dry-run\n          echo twine upload\n          git push origin main\n',
    // A composite action cannot see its caller's permissions.
    {
      kind: 'action',
      code: 'runs:\n  using: composite\n  steps:\n    - run: twine upload dist/*\n      shell: bash\n',
    },
  ],
  invalid: [
    {
      // Without id-token: write the publish cannot be trusted publishing (zizmor's test cases).
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: python3.10 -m \\\n          twine upload dist/*\n      - run: pipx run twine==6.1.0 upload dist/*\n      - run: bundle exec gem push foo.gem\n      - run: dotnet nuget push foo.nupkg\n      - run: bunx npm publish\n      - run: cd pkg && uv publish\n',
      errors: [
        { messageId: 'noIdToken', line: 7, column: 14 },
        { messageId: 'noIdToken', line: 9, column: 14 },
        { messageId: 'noIdToken', line: 10, column: 14 },
        { messageId: 'noIdToken', line: 11, column: 14 },
        { messageId: 'noIdToken', line: 12, column: 14 },
        { messageId: 'noIdToken', line: 13, column: 14 },
      ],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n',
      errors: [{ messageId: 'token', line: 5, column: 15, severity: 'info' }],
    },
    {
      code: 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n',
      errors: [{ messageId: 'token', line: 5, column: 14 }],
    },
  ],
});
