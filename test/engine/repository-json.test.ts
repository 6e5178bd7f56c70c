import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../../src/core/finding.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { auditModelRepository } from '../../src/engine/repository-audit.js';
import { parseConfigText } from '../../src/engine/repository-parse.js';
import { loadRulesFor } from '../../src/rules/families.js';
import type { RuleFailure } from '../../src/rules/rule-failure.js';
import { runRules } from '../../src/rules/run-rules.js';
import { fuzzRuns } from '../helpers/issue4-fixtures.js';

// The repository audit reads its JSON (config.json, tokenizer_config.json, generation_config.json,
// model_index.json, index files …) with the strict JSON parser every other JSON reader uses, and
// hands the rules located nodes built from its value. Bad JSON and repeated keys get that parser's
// codes and offsets; on valid JSON the findings are those of the YAML front end it replaced.

const dir = mkdtempSync(join(tmpdir(), 'torchward-repo-json-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Audits one file `name` holding `text`; its findings as [rule, code-in-message, start]. */
async function auditOne(name: string, text: string): Promise<[string, string, number][]> {
  writeFileSync(join(dir, name), text);
  const found = await auditModelRepository(dir, [name], (rel) => rel, DEFAULT_LIMITS);
  return (found.get(name) ?? []).map((f) => [
    f.ruleId,
    /\(([A-Z_]+)\)/.exec(f.message)?.[1] ?? '',
    f.primary.span?.start ?? -1,
  ]);
}

const rulesPromise = loadRulesFor('repository');

/** The rule findings for `text` as `rel`, the document parsed as JSON (strict) or as YAML. */
async function findings(rel: string, text: string, asJson: boolean): Promise<unknown[]> {
  const doc = parseConfigText(text, asJson ? rel : '');
  if ('code' in doc) return [`error ${doc.code}`];
  const failures: RuleFailure[] = [];
  const got = runRules(
    'repository',
    await rulesPromise,
    { rel, files: [rel, 'modeling_x.py'], document: doc, text: undefined },
    { uri: rel, unit: 'char', options: {} },
    failures,
  );
  assert.deepEqual(failures, []);
  return got.map((f: Finding) => [f.ruleId, f.message, f.primary.span, f.primary.path]);
}

describe('repository audit: JSON through the strict parser', () => {
  it('refuses what Python json.loads refuses, with the strict parser codes and offsets', async () => {
    const cases: [string, string, [string, string, number][]][] = [
      ['trailing comma', '{"a": 1,}', [['repository/malformed-input', 'BAD_JSON', 8]]],
      ['comment', '{"a": 1} # no', [['repository/malformed-input', 'BAD_JSON', 9]]],
      ['single quotes', "{'a': 1}", [['repository/malformed-input', 'BAD_JSON', 1]]],
      [
        'repeated key',
        '{\n  "auto_map": {},\n  "auto_map": {"AutoModel": "m.X"}\n}',
        [['repository/malformed-input', 'BAD_STRUCTURE', 22]],
      ],
      [
        'too deep',
        `${'['.repeat(200)}${']'.repeat(200)}`,
        [['repository/malformed-input', 'LIMIT_EXCEEDED', 128]],
      ],
      ['empty', '', [['repository/malformed-input', 'BAD_JSON', 0]]],
      // Python reads and writes NaN/Infinity (a trainer_state.json with a NaN loss): not malformed.
      ['NaN and Infinity', '{"loss": NaN, "best": -Infinity, "x": Infinity}', []],
    ];
    for (const [what, text, want] of cases) {
      assert.deepEqual(await auditOne('config.json', text), want, what);
    }
  });

  it('the same text as YAML is still read as YAML', async () => {
    assert.deepEqual(await auditOne('config.yaml', '{"a": 1,}'), []);
  });

  it('locates findings on the JSON text (line and column from the span)', async () => {
    const text = '{\n  "model_type": "x",\n  "auto_map": {"AutoModel": "modeling_x.XModel"}\n}\n';
    const [finding] = await findings('config.json', text, true);
    const [, , span, path] = finding as [string, string, { start: number; end: number }, string[]];
    assert.deepEqual(path, ['auto_map']);
    assert.equal(
      text.slice(span.start, span.end),
      '"auto_map": {"AutoModel": "modeling_x.XModel"}',
    );
  });

  it('gives the YAML front end findings on every JSON fixture and on generated configs', async () => {
    const fixtures = ['ok', 'evil'].flatMap((d) =>
      readdirSync(join('test/fixtures/repo', d))
        .filter((f) => f.endsWith('.json'))
        .map((f) => join('test/fixtures/repo', d, f)),
    );
    assert.ok(fixtures.length >= 4);
    for (const path of fixtures) {
      const text = readFileSync(path, 'utf8');
      const rel = path.slice(path.lastIndexOf('/') + 1);
      assert.deepEqual(await findings(rel, text, true), await findings(rel, text, false), path);
    }
    const key = fc.constantFrom(
      'auto_map',
      'AutoModel',
      'AutoConfig',
      '_target_',
      'chat_template',
      'name',
      'template',
      'model_type',
      'a b',
      'é\u00e9',
      'q"uote',
    );
    const leaf = fc.oneof(
      fc.constantFrom(
        'modeling_x.XModel',
        'other/repo--tok.T',
        'os.system',
        'torch.nn.Linear',
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        '{% for m in messages %}{{ m.content }}{% endfor %}',
        'line\nbreak\t"q"\\/',
      ),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
      ),
    }));
    const configs = fc.tuple(
      fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }),
      fc.constantFrom(undefined, 1, 2, '\t'),
      fc.constantFrom('config.json', 'tokenizer_config.json'),
    );
    await fc.assert(
      fc.asyncProperty(configs, async ([value, indent, rel]) => {
        const text = JSON.stringify(value, null, indent);
        assert.deepEqual(await findings(rel, text, true), await findings(rel, text, false));
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
