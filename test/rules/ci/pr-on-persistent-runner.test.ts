import rule from '../../../src/rules/ci/pr-on-persistent-runner.js';
import { testRule } from '../../helpers/test-rule.js';

testRule(rule, {
  valid: [
    'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps: []\n',
    // Third-party ephemeral runners (astral-sh/uv) are not persistent.
    'on: pull_request\njobs:\n  a:\n    runs-on: depot-ubuntu-24.04-8\n    steps: []\n',
    // Declared ephemeral in torchward.yml.
    {
      code: 'on: pull_request\njobs:\n  a:\n    runs-on: linux.2xlarge\n    steps: []\n',
      runners: { ephemeral: ['linux.*'] },
    },
    // Push to main is not an outside contribution.
    'on:\n  push:\n    branches: [main]\njobs:\n  a:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps: []\n',
    // A matrix of GitHub-hosted runners.
    'on: pull_request\njobs:\n  a:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, macos-14, windows-2022]\n    runs-on: ${{ matrix.os }}\n    steps: []\n',
    // A fully computed label cannot be judged.
    'on: pull_request\njobs:\n  a:\n    runs-on: ${{ needs.setup.outputs.runner }}\n    steps: []\n',
    // The label says ephemeral.
    'on: pull_request\njobs:\n  a:\n    runs-on: linux.g5.4xlarge.ephemeral\n    steps: []\n',
  ],
  invalid: [
    {
      code: 'on: pull_request\njobs:\n  a:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps: []\n',
      errors: [{ messageId: 'pr', line: 4, column: 14 }],
    },
    {
      // Unknown labels count as persistent until declared ephemeral.
      code: 'on: pull_request\njobs:\n  a:\n    runs-on: linux.2xlarge\n    steps: []\n',
      errors: [{ messageId: 'pr', line: 4, column: 14 }],
    },
    {
      // workflow_run bypasses the approval gate (the 2023 PyTorch runner attack path).
      code: 'on:\n  workflow_run:\n    workflows: [pull]\njobs:\n  a:\n    runs-on: windows.4xlarge.nonephemeral\n    steps: []\n',
      errors: [{ messageId: 'bypass', line: 6, column: 14 }],
    },
    {
      // One matrix value is persistent.
      code: 'on: pull_request\njobs:\n  a:\n    strategy:\n      matrix:\n        runner: [ubuntu-latest, linux.4xlarge]\n    runs-on: ${{ matrix.runner }}\n    steps: []\n',
      errors: [{ messageId: 'pr', line: 7, column: 14 }],
    },
    {
      // PyTorch's bot pushes ciflow/* tags for pull requests: PR code with push privileges.
      code: 'on:\n  push:\n    tags:\n      - ciflow/trunk/*\njobs:\n  a:\n    runs-on: linux.2xlarge\n    steps: []\n',
      errors: [{ messageId: 'pr', line: 7, column: 14 }],
    },
    {
      // A computed fleet prefix in front of a literal machine label (PyTorch's label-type).
      code: 'on: pull_request\njobs:\n  a:\n    runs-on: "${{ needs.get-label-type.outputs.label-type }}linux.2xlarge"\n    steps: []\n',
      errors: [{ messageId: 'pr', line: 4, column: 14 }],
    },
    {
      // A configured persistent label wins over the GitHub-hosted look of the name.
      code: 'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-gpu-big\n    steps: []\n',
      runners: { persistent: ['ubuntu-gpu-*'] },
      errors: [{ messageId: 'pr', line: 4, column: 14 }],
    },
    {
      // A reusable workflow's runner comes from the caller's input.
      code: 'on: pull_request\njobs:\n  a:\n    uses: ./.github/workflows/build.yml\n    with:\n      runner: linux.2xlarge\n',
      files: {
        '.github/workflows/build.yml':
          'on:\n  workflow_call:\n    inputs:\n      runner:\n        type: string\n        default: ubuntu-latest\njobs:\n  b:\n    runs-on: ${{ inputs.runner }}\n    steps: []\n',
      },
      errors: [{ messageId: 'pr', line: 4, column: 11 }],
    },
  ],
});
