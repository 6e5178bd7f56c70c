import rule from '../../../src/rules/ci/self-hosted-runner.js';
import { testRule } from '../../helpers/test-rule.js';

const job = (runsOn: string, extra = '') =>
  `on: push\njobs:\n  a:\n    runs-on: ${runsOn}\n${extra}    steps:\n      - run: make\n`;

testRule(rule, {
  valid: [
    // (Pedantic rule: the engine runs it only in pedantic mode; the rule itself is tested here.)
    job('ubuntu-latest'),
    { code: job('[self-hosted, linux]'), pedantic: true, runners: { ephemeral: ['linux'] } },
    { code: job('ubuntu-24.04'), pedantic: true },
    { code: job('depot-ubuntu-24.04'), pedantic: true },
    { code: job('arc-runner-set'), pedantic: true },
  ],
  invalid: [
    {
      code: job('[self-hosted, my-ubuntu-box]'),
      pedantic: true,
      errors: [{ messageId: 'selfHosted', line: 4, column: 14 }],
    },
    {
      // A matrix value that names a self-hosted runner, through `include:` too.
      code: job(
        '${{ matrix.os }}',
        '    strategy:\n      matrix:\n        os: [ubuntu-latest]\n        include:\n          - os: self-hosted\n',
      ),
      pedantic: true,
      errors: [{ messageId: 'selfHosted', line: 4, column: 14 }],
    },
    {
      code: job('\n      group: ubuntu-runners'),
      pedantic: true,
      errors: [{ messageId: 'selfHosted', line: 5, column: 7 }],
    },
    {
      code: job('[self-hosted, linux]'),
      pedantic: true,
      runners: { persistent: ['linux'] },
      errors: [{ messageId: 'selfHosted', line: 4, column: 14 }],
    },
  ],
});
