import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { FormatError } from '../../../src/core/errors.js';
import { parseChatTemplate } from '../../../src/formats/gguf/chat-template.js';
import { analyseTemplate, dunderWords } from '../../../src/rules/gguf/template-analysis.js';
import { repositoryRules } from '../../../src/rules/repository/index.js';
import type { RepositoryFile } from '../../../src/rules/repository/input.js';
import { fuzzRuns } from '../../helpers/issue4-fixtures.js';
import { runRule } from '../../helpers/issue4-rules.js';

const jinjaish = fc.array(
  fc.constantFrom(
    '{{',
    '}}',
    '{%',
    '%}',
    'for',
    'in',
    'if',
    'endif',
    'endfor',
    'x',
    '.',
    '__class__',
    '(',
    ')',
    '[',
    ']',
    "'a'",
    '|',
    'attr',
    ' ',
    'set',
    '=',
    '~',
    '1',
  ),
  { maxLength: 40 },
);

describe('repository and template fuzz', () => {
  it('template parsing throws only FormatError; analysis never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          jinjaish.map((p) => p.join('')),
        ),
        (text) => {
          dunderWords(text);
          try {
            analyseTemplate(parseChatTemplate(text, 10_000));
          } catch (error) {
            if (!(error instanceof FormatError)) throw error;
          }
        },
      ),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('repository rules never throw on parsed YAML/JSON or templates', () => {
    const key = fc.constantFrom('_target_', 'auto_map', 'chat_template', 'name', 'template', 'a');
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      jinjaish.map((p) => p.join('')),
      fc.integer(),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        value,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(
        tree,
        fc.constantFrom('config.json', 'tokenizer_config.json', 'conf.yaml', 'x.py', 't.jinja'),
        (t, rel) => {
          const text = JSON.stringify(t);
          const doc = parseDocument(text);
          const file: RepositoryFile = {
            rel,
            files: [rel],
            document: doc.errors.length === 0 ? doc : undefined,
            text,
          };
          for (const rule of repositoryRules) runRule(rule as never, file as never);
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});
