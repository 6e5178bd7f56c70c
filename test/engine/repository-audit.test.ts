import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, makeLimits } from '../../src/core/limits.js';
import { auditModelRepository } from '../../src/engine/repository-audit.js';

const audit = async (dir: string, files: string[], limits = DEFAULT_LIMITS) => {
  const found = await auditModelRepository(
    `test/fixtures/repo/${dir}`,
    files,
    (rel) => `${dir}/${rel}`,
    limits,
  );
  return [...found].map(([uri, list]) => [
    uri,
    list.map((f) => [f.ruleId, f.verdict ?? null, f.message]),
  ]);
};

describe('auditModelRepository', () => {
  it('a plain repository has no findings', async () => {
    assert.deepEqual(
      await audit('ok', [
        'config.json',
        'generation_config.json',
        'model_config.yaml',
        'model.safetensors',
      ]),
      [],
    );
  });

  it('auto_map, Hydra targets and Python files are reported', async () => {
    assert.deepEqual(
      await audit('evil', [
        'config.json',
        'configuration_evil.py',
        'model_config.yaml',
        'modeling_evil.py',
      ]),
      [
        [
          'evil/config.json',
          [
            [
              'repository/remote-code',
              'suspicious',
              '`auto_map` makes transformers import repository code with trust_remote_code=True: configuration_evil.EvilConfig, modeling_evil.EvilModel, other/repo--tokenization_x.XTokenizer from configuration_evil.py, modeling_evil.py, other/repo (another repository)',
            ],
          ],
        ],
        [
          'evil/configuration_evil.py',
          [
            [
              'repository/python-file',
              null,
              'Python file in the model repository: it runs with trust_remote_code or when imported; review it',
            ],
          ],
        ],
        [
          'evil/model_config.yaml',
          [
            [
              'repository/hydra-target',
              'malicious',
              '`_target_: os.system` makes hydra.utils.instantiate call into `os` (CVE-2025-23304)',
            ],
            [
              'repository/hydra-target',
              'suspicious',
              '`_target_: my_package.heads.Head` is outside the usual model packages; instantiate() imports and calls it',
            ],
          ],
        ],
        [
          'evil/modeling_evil.py',
          [
            [
              'repository/python-file',
              null,
              'Python file in the model repository: it runs with trust_remote_code or when imported; review it',
            ],
          ],
        ],
      ],
    );
  });

  it('chat templates in tokenizer_config.json and chat_template.jinja are checked (CVE-2024-34359)', async () => {
    const found = await audit('evil', ['chat_template.jinja', 'tokenizer_config.json']);
    assert.deepEqual(
      found.map(([uri, list]) => [
        uri,
        (list as unknown[][]).map((f) => `${String(f[1])} ${String(f[2])}`),
      ]),
      [
        [
          'evil/chat_template.jinja',
          [
            'suspicious chat template `chat_template.jinja` cannot be parsed (Unexpected token: CloseParen), so it cannot be proven free of sandbox escapes',
            'malicious chat template `chat_template.jinja` uses `__class__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template.jinja` uses `__base__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template.jinja` uses `__subclasses__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template.jinja` uses `__name__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template.jinja` uses `__builtins__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template.jinja` uses `__import__`, a Jinja sandbox escape (CVE-2024-34359)',
          ],
        ],
        [
          'evil/tokenizer_config.json',
          [
            'malicious chat template `chat_template[tool_use]` uses `__globals__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template[tool_use]` uses `__init__`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template[tool_use]` uses `os`, a Jinja sandbox escape (CVE-2024-34359)',
            'malicious chat template `chat_template[tool_use]` uses `popen`, a Jinja sandbox escape (CVE-2024-34359)',
          ],
        ],
      ],
    );
  });

  it('points at the offending characters', async () => {
    const found = await auditModelRepository(
      'test/fixtures/repo/evil',
      ['model_config.yaml'],
      (rel) => rel,
      DEFAULT_LIMITS,
    );
    const [f] = found.get('model_config.yaml') ?? [];
    assert.equal(f?.primary.unit, 'char');
    assert.deepEqual(f?.primary.path, ['model', 'preprocessor', '_target_']);
    assert.deepEqual(f?.primary.span, { start: 27, end: 46 });
    const text = readFileSync('test/fixtures/repo/evil/model_config.yaml', 'utf8');
    assert.equal(text.slice(27, 46), '_target_: os.system');
  });

  it('unparsable, duplicate-key and oversized configs are malformed', async () => {
    const found = await audit('bad', ['config.json', 'dup.yaml']);
    assert.deepEqual(
      found.map(([uri, list]) => [uri, (list as unknown[][]).map((f) => f[0])]),
      [
        ['bad/config.json', ['repository/malformed-input']],
        ['bad/dup.yaml', ['repository/malformed-input']],
      ],
    );
    const big = await audit('ok', ['config.json'], makeLimits({ maxTextBytes: 10 }));
    assert.equal((big[0]?.[1] as unknown[][])[0]?.[0], 'repository/malformed-input');
    const missing = await audit('ok', ['missing.json']);
    assert.equal(missing[0]?.[0], 'ok/missing.json');
    assert.deepEqual(
      (missing[0]?.[1] as unknown[][]).map((f) => [f[0], f[1]]),
      [['repository/malformed-input', 'invalid']],
    );
  });
});
