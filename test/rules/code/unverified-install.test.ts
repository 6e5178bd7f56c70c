import rule from '../../../src/rules/code/unverified-install.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

testCodeRule(rule, {
  valid: [
    {
      name: 'setup.sh',
      code: 'pip install torch==2.6.0 numpy==2.1.0\npip install -r requirements.txt\npip install -e .\n',
    },
    {
      name: 'setup.sh',
      code: 'pip install "git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567"\n',
    },
    { name: 'setup.sh', code: 'pip install ./dist/pkg-1.0-py3-none-any.whl\npip install "$PKG"\n' },
    {
      name: 'Dockerfile',
      code: 'FROM python:3.11\nRUN pip install --require-hashes -r requirements.lock\n',
    },
    {
      name: 'requirements.txt',
      code: 'torch==2.6.0 \\\n    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n',
    },
  ],
  invalid: [
    {
      name: 'setup.sh',
      code: 'set -e\npip install transformers torch>=2.0 numpy==1.26.4\npython3 -m pip install --extra-index-url https://example.org/simple foo==1\n',
      errors: [
        { messageId: 'unpinned', line: 2, column: 13 },
        { messageId: 'unpinned', line: 2, column: 26 },
        { messageId: 'extraIndex', line: 3, column: 24, severity: 'high' },
      ],
    },
    {
      name: 'setup.sh',
      code: 'sudo pip3 install --trusted-host pypi.internal git+https://github.com/org/lib@main\n',
      errors: [
        { messageId: 'trustedHost', line: 1, column: 19 },
        { messageId: 'urlUnpinned', line: 1, column: 48 },
      ],
    },
    {
      name: 'Dockerfile',
      code: 'FROM python:3.11\nRUN pip install --no-cache-dir torch==2.6.0 \\\n    transformers\n',
      errors: [
        { messageId: 'noHashes', line: 2, column: 5, severity: 'low' },
        { messageId: 'unpinned', line: 3, column: 5 },
      ],
    },
    {
      name: 'requirements-dev.txt',
      code: '# dev\ntorch>=2.6\n--extra-index-url https://download.pytorch.org/whl/nightly/cpu\n--trusted-host example.org\nlib @ https://example.org/lib.tar.gz\n',
      errors: [
        { messageId: 'requirementsNoHashes', line: 2, column: 1, severity: 'low' },
        { messageId: 'extraIndex', line: 3, column: 1, severity: 'high' },
        { messageId: 'trustedHost', line: 4, column: 1 },
        { messageId: 'urlUnpinned', line: 5, column: 1 },
      ],
    },
    {
      // a here-document RUN: its body is the script
      name: 'Dockerfile',
      code: 'FROM python:3.11\nRUN <<EOF\nset -e\npip install --require-hashes -r req.txt\npip install einops\nEOF\n',
      errors: [
        { messageId: 'noHashes', line: 5, column: 1, severity: 'low' },
        { messageId: 'unpinned', line: 5, column: 13 },
      ],
    },
    {
      // a %%bash cell is shell, not Python
      name: 'nb.ipynb',
      code: JSON.stringify({
        cells: [
          {
            cell_type: 'code',
            source: ['%%bash\n', 'cd /tmp\n', 'pip install vllm\n'],
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [{ messageId: 'unpinned', cell: 1, line: 3, column: 13 }],
    },
    {
      name: 'nb.ipynb',
      code: JSON.stringify({
        cells: [
          {
            cell_type: 'code',
            source: ['!pip install -q accelerate\n', 'import torch'],
            metadata: {},
            outputs: [],
          },
          {
            cell_type: 'code',
            source: '%pip install bitsandbytes==0.43.1 peft',
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [
        { messageId: 'unpinned', cell: 1, line: 1, column: 17 },
        { messageId: 'unpinned', cell: 2, line: 1, column: 35 },
      ],
    },
  ],
});
