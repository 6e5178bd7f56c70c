import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { buildPythonModel } from '../../../src/formats/python/model.js';
import { locateInNotebook, readNotebook } from '../../../src/formats/python/notebook.js';
import { loadPythonParser } from '../../../src/formats/python/parser.js';
import { parseRequirementsFile } from '../../../src/formats/python/requirements.js';
import { decodePythonSource } from '../../../src/formats/python/source.js';
import { parseDockerfile } from '../../../src/formats/shell/dockerfile.js';
import { findPipInstalls } from '../../../src/formats/shell/pip.js';
import { tokenizeShell } from '../../../src/formats/shell/tokenize.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 200);

// Text biased towards the syntax each reader cares about.
const TOKENS = [
  'import torch as T\n',
  'from pickle import loads\n',
  'torch.load(',
  'weights_only=',
  'False',
  ')',
  '(',
  '[',
  ']',
  '"',
  "'",
  '\\',
  '\n',
  ' ',
  '#',
  '=',
  ',',
  '!pip install x\n',
  '%%bash\n',
  'pip install ',
  '--extra-index-url ',
  '$(',
  '`',
  '<<EOF\n',
  'EOF\n',
  ';',
  '&&',
  '|',
  'RUN ',
  'ENV A=b ',
  '\\\n',
  '{',
  '}',
  ':',
  'é',
  '\u{1F600}',
];
const codeText = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })), { maxLength: 80 })
  .map((parts) => parts.join(''));

test('shell, Dockerfile and requirements readers never throw and keep spans inside the text', () => {
  fc.assert(
    fc.property(codeText, (text) => {
      for (const command of tokenizeShell(text)) {
        findPipInstalls(command);
        for (const w of command.words) {
          assert.ok(w.span.start >= 0 && w.span.end <= text.length && w.span.start <= w.span.end);
        }
      }
      for (const instruction of parseDockerfile(text)) {
        assert.ok(instruction.span.start >= 0 && instruction.span.end <= text.length);
      }
      for (const r of parseRequirementsFile(text).requirements) {
        assert.ok(r.span.end <= text.length);
      }
    }),
    { numRuns: RUNS },
  );
});

test('the Python model is built for any text without throwing', async () => {
  const parser = await loadPythonParser();
  fc.assert(
    fc.property(codeText, (text) => {
      const tree = parser.parse(text, 2000);
      assert.ok(tree !== undefined);
      try {
        const model = buildPythonModel(tree, text, parser.query.captures(tree.rootNode));
        for (const call of model.calls) {
          // Reading the arguments is what rules do; it must not throw either.
          assert.ok(call.positional.length >= 0 && call.keywords.size >= 0);
          assert.ok(call.span.end <= text.length);
        }
      } finally {
        tree.delete();
      }
    }),
    { numRuns: RUNS },
  );
});

test('notebooks and Python bytes: a result or a FormatError, nothing else', () => {
  const notebookish = fc.oneof(
    codeText,
    fc.array(codeText, { maxLength: 4 }).map((sources) =>
      JSON.stringify({
        cells: sources.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [] })),
        nbformat: 4,
      }),
    ),
  );
  fc.assert(
    fc.property(notebookish, fc.nat(), (text, at) => {
      try {
        const nb = readNotebook(text);
        const where = locateInNotebook(nb, nb.python.length === 0 ? 0 : at % nb.python.length);
        assert.ok(where.fileOffset >= 0 && where.fileOffset <= text.length);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      try {
        decodePythonSource(bytes);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }),
    { numRuns: RUNS },
  );
});
