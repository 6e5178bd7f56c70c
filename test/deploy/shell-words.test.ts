import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS, makeLimits } from '../../src/core/limits.js';
import { FormatError } from '../../src/core/errors.js';
import { dockerInstructions, shellCommands } from '../../src/deploy/shell-words.js';
import { parseYamlDocuments } from '../../src/workflows/yaml-tree.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 300);

describe('shellCommands', () => {
  it('splits commands at separators, joins continuations, removes quotes and keeps spans', () => {
    const text = 'a "b c" \'d\'\\\n  e # note\nf=1 && g | h; i\\ j';
    const commands = shellCommands(text);
    assert.deepEqual(
      commands.map((c) => c.map((w) => w.text)),
      [['a', 'b c', 'd', 'e'], ['f=1'], ['g'], ['h'], ['i j']],
    );
    const b = commands[0]?.[1];
    assert.equal(text.slice(b?.span.start, b?.span.end), '"b c"');
  });

  it('never throws and keeps every span inside the text, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        for (const command of shellCommands(text)) {
          for (const w of command) {
            assert.ok(w.span.start >= 0 && w.span.start <= w.span.end && w.span.end <= text.length);
          }
        }
        for (const i of dockerInstructions(text)) {
          assert.ok(i.span.start >= 0 && i.span.end <= text.length);
          for (const w of i.commands.flat()) assert.ok(w.span.end <= text.length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('dockerInstructions', () => {
  it('reads exec and shell forms, continuations and comments', () => {
    const text =
      'FROM x\n# c\nRUN apt-get update \\\n  && pip install ray\nCMD ["sh", "-c", "ray start --head"]\n';
    const found = dockerInstructions(text);
    assert.deepEqual(
      found.map((i) => [i.keyword, i.commands.map((c) => c.map((w) => w.text).join(' '))]),
      [
        ['FROM', ['x']],
        ['RUN', ['apt-get update', 'pip install ray']],
        ['CMD', ['sh -c ray start --head', 'ray start --head']],
      ],
    );
  });
});

describe('parseYamlDocuments', () => {
  it('reads every document of a stream with spans into the whole text', () => {
    const text = 'a: 1\n---\nb: 2\n---\n';
    const trees = parseYamlDocuments(text, DEFAULT_LIMITS);
    // The trailing `---` opens a third, empty document (a null scalar).
    assert.deepEqual(
      trees.map((t) => t.root?.kind),
      ['map', 'map', 'scalar'],
    );
    const b = trees[1]?.root;
    assert.equal(b?.kind, 'map');
    assert.equal(text.slice(b?.span.start, b?.span.end), 'b: 2');
  });

  it('counts alias resolutions over all documents together (no per-document reset)', () => {
    const doc = 'a: &a [x, x, x, x]\nb: [*a, *a, *a, *a]\n';
    const limits = makeLimits({ maxYamlAliases: 30 });
    assert.equal(parseYamlDocuments(doc, limits).length, 1);
    assert.throws(
      () => parseYamlDocuments(`${doc}---\n${doc}`, limits),
      (e: unknown) => e instanceof FormatError && e.code === 'LIMIT_EXCEEDED',
    );
  });
});
