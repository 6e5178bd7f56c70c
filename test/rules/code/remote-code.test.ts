import rule from '../../../src/rules/code/remote-code.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

testCodeRule(rule, {
  valid: [
    'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", revision="0123456789abcdef0123456789abcdef01234567")\n',
    'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", trust_remote_code=False)\n',
    'import torch\nm = torch.hub.load("./hub", "model", source="local")\n',
    'exec("print(1)")\n',
  ],
  invalid: [
    {
      // NFKC identifiers: `ｔrust_remote_code` is trust_remote_code
      code: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("a/b", \uff54rust_remote_code=True)\n',
      errors: [{ messageId: 'trustRemoteCode', line: 2, column: 38 }],
    },
    {
      code: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", trust_remote_code=True)\n',
      errors: [{ messageId: 'trustRemoteCode', line: 2, column: 40, severity: 'high' }],
    },
    {
      // through a constant, and in datasets / pipeline
      code: 'import datasets\nfrom transformers import pipeline\nTRUST = True\nds = datasets.load_dataset("org/d", trust_remote_code=TRUST)\np = pipeline("text-generation", model="org/m", trust_remote_code=True)\n',
      errors: [
        { messageId: 'trustRemoteCode', line: 4, column: 37 },
        { messageId: 'trustRemoteCode', line: 5, column: 48 },
      ],
    },
    {
      code: 'import torch\nm = torch.hub.load("pytorch/vision", "resnet50")\n',
      errors: [{ messageId: 'hubLoad', line: 2, column: 5, severity: 'medium' }],
    },
    {
      code: 'import urllib.request\ndef run(u):\n    with urllib.request.urlopen(u) as f:\n        exec(f.read())\n',
      errors: [{ messageId: 'execDownloaded', line: 4, column: 9 }],
    },
  ],
});
