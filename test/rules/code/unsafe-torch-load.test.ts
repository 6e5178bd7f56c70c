import rule from '../../../src/rules/code/unsafe-torch-load.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

const TORCH_26 = { 'requirements.txt': 'torch>=2.6\n' };

testCodeRule(rule, {
  valid: [
    'import torch\nsd = torch.load("m.pt", weights_only=True)\n',
    'import torch\nsd = torch.load(path, map_location="cpu", weights_only=True)\n',
    // `**kwargs` may carry weights_only: not reported.
    'import torch\ndef f(p, **kw):\n    return torch.load(p, **kw)\n',
    // a method named load on another object
    'import torch\nmodel.load("x")\nnp.load("a.npy")\n',
    // a local function shadowing nothing imported
    'def load(p):\n    return p\nload("x")\n',
    // add_safe_globals with a harmless class
    'import torch\nfrom collections import OrderedDict\ntorch.serialization.add_safe_globals([OrderedDict])\n',
    // weights_only resolved through a constant
    'import torch\nSAFE = True\ntorch.load("m.pt", weights_only=SAFE)\n',
  ],
  invalid: [
    {
      // NFKC identifiers: `torch.ｌｏad` and `ｗeights_only` are torch.load and weights_only
      code: 'import torch\nsd = torch.\uff4c\uff4fad("m.pt", \uff57eights_only=False)\n',
      errors: [{ messageId: 'weightsOnlyFalse', line: 2, column: 38 }],
    },
    {
      code: 'import torch\nsd = torch.load("m.pt", weights_only=False)\n',
      errors: [{ messageId: 'weightsOnlyFalse', line: 2, column: 38, severity: 'high' }],
    },
    {
      // constant resolution
      code: 'import torch\nWEIGHTS_ONLY = False\n\ndef main():\n    return torch.load("m.pt", weights_only=WEIGHTS_ONLY)\n',
      errors: [{ messageId: 'weightsOnlyFalse', line: 5, column: 44 }],
    },
    {
      // alias through `from torch import load as L`, torch version unknown: medium
      code: 'from torch import load as L\nx = L("m.pt")\n',
      errors: [{ messageId: 'missingWeightsOnly', line: 2, column: 5, severity: 'medium' }],
    },
    {
      // module alias; the repository pins torch>=2.6: low
      code: 'import torch as T\nx = T.load("m.pt")\n',
      files: TORCH_26,
      errors: [{ messageId: 'missingWeightsOnly', line: 2, column: 5, severity: 'low' }],
    },
    {
      // `load = torch.load` alias
      code: 'import torch\nload = torch.load\nstate = load("ckpt.pt")\n',
      errors: [{ messageId: 'missingWeightsOnly', line: 3, column: 9 }],
    },
    {
      // pickle_module as keyword and as the third positional argument
      code: 'import torch, dill\ntorch.load("a", pickle_module=dill)\ntorch.load("b", "cpu", dill)\n',
      errors: [
        { messageId: 'pickleModule', line: 2, column: 31, severity: 'high' },
        { messageId: 'pickleModule', line: 3, column: 24, severity: 'high' },
      ],
    },
    {
      code: 'import os\nimport torch\ntorch.serialization.add_safe_globals([os.system])\n',
      errors: [{ messageId: 'gadgetAllowed', line: 3, column: 39 }],
    },
    {
      code: 'from os import system\nfrom torch.serialization import safe_globals\nwith safe_globals([system]):\n    pass\n',
      errors: [{ messageId: 'gadgetAllowed', line: 3, column: 20 }],
    },
    {
      // bytes from a socket in the same function; weights_only given, so only that finding
      code: 'import io, torch\ndef serve(sock):\n    data = sock.recv(1 << 20)\n    return torch.load(io.BytesIO(data), weights_only=False)\n',
      errors: [
        { messageId: 'untrustedBytes', line: 4, column: 23, severity: 'high' },
        { messageId: 'weightsOnlyFalse', line: 4, column: 54 },
      ],
    },
    {
      // weights_only=True on a torch the repository keeps below 2.6 (CVE-2025-32434)
      code: 'import torch\ntorch.load("m.pt", weights_only=True)\n',
      files: { 'requirements.txt': 'torch==2.5.1\n' },
      errors: [{ messageId: 'weightsOnlyOldTorch', line: 2, column: 33, severity: 'medium' }],
    },
    {
      // notebook: the alias is imported in one cell and used in another
      name: 'explore.ipynb',
      code: JSON.stringify({
        cells: [
          { cell_type: 'code', source: ['import torch as T\n'], metadata: {}, outputs: [] },
          { cell_type: 'markdown', source: ['# load'], metadata: {} },
          {
            cell_type: 'code',
            source: ['x = 1\n', 'sd = T.load("m.pt", weights_only=False)\n'],
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [{ messageId: 'weightsOnlyFalse', cell: 3, line: 2, column: 34 }],
    },
  ],
});
