import rule from '../../../src/rules/code/unpinned-hub-revision.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

testCodeRule(rule, {
  valid: [
    `from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", revision="${SHA}")\n`,
    `from huggingface_hub import hf_hub_download\np = hf_hub_download(repo_id="org/m", filename="model.safetensors", revision="${SHA}")\n`,
    'from datasets import load_dataset\nds = load_dataset("json", data_files="d.json")\n',
    'from transformers import AutoModel\nm = AutoModel.from_pretrained("./checkpoints/best")\n',
    'from transformers import AutoModel\nm = AutoModel.from_pretrained(path)\n',
    'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", local_files_only=True)\n',
  ],
  invalid: [
    {
      code: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m")\n',
      errors: [{ messageId: 'unpinned', line: 2, column: 31 }],
    },
    {
      // positional and keyword repo ids, an alias of the module, a constant id
      code: 'import huggingface_hub as hh\nREPO = "org/m"\nhh.snapshot_download(REPO)\nhh.hf_hub_download(repo_id="org/x", filename="f")\n',
      errors: [
        { messageId: 'unpinned', line: 3, column: 22 },
        { messageId: 'unpinned', line: 4, column: 28 },
      ],
    },
    {
      code: 'from datasets import load_dataset\nds = load_dataset("org/d", revision="main")\n',
      errors: [{ messageId: 'mutableRevision', line: 2, column: 37 }],
    },
    {
      name: 'nb.ipynb',
      code: JSON.stringify({
        cells: [
          {
            cell_type: 'code',
            source: [
              'from transformers import AutoTokenizer\n',
              'tok = AutoTokenizer.from_pretrained("org/m", revision="v1.0")',
            ],
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [{ messageId: 'mutableRevision', cell: 1, line: 2, column: 55 }],
    },
  ],
});
