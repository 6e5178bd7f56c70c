import rule from '../../../src/rules/ci/adhoc-packages.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm ci && npm install\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: bundle install && yarn install --frozen-lockfile\n',
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo gem install rake\n',
  ],
  invalid: [
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm install -g typescript\n',
      errors: [{ messageId: 'adhoc', line: 6, column: 14 }],
    },
    {
      code: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          sudo gem install rake\n          yarn add left-pad\n',
      errors: [{ messageId: 'adhoc', line: 6, column: 14 }],
    },
  ],
});
