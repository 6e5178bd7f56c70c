import rule from '../../../src/rules/code/parse-error.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

testCodeRule(rule, {
  valid: [
    'import torch\n',
    '# -*- coding: latin-1 -*-\nname = "caf\u00e9"\n',
    { name: 'nb.ipynb', code: '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' },
    // Names nothing any code rule reads: the audit does not parse it, so no syntax finding
    // (pedantic mode parses every file; test/rules/code/prefilter.test.ts).
    'def f(:\n    pass\n',
  ],
  invalid: [
    {
      code: 'import torch\ndef f(:\n    torch.load(p, weights_only=True)\n',
      errors: [{ messageId: 'syntax', line: 2, column: 7 }],
    },
    {
      code: `x = ${'('.repeat(300)}1${')'.repeat(300)}\n`,
      errors: [{ messageId: 'unreadable', line: 1, column: 205 }],
    },
    {
      name: 'nb.ipynb',
      code: '{"cells": [',
      errors: [{ messageId: 'unreadable', line: 1, column: 1 }],
    },
    {
      name: 'nb.ipynb',
      code: '{"cells": [{"cell_type": "code", "source": 42}], "nbformat": 4}',
      errors: [{ messageId: 'unreadable', line: 1, column: 1 }],
    },
  ],
});
