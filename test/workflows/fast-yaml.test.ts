import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { parseFastYamlTree } from '../../src/workflows/fast-yaml.js';
import { parseYamlTree, parseYamlTreeFully } from '../../src/workflows/yaml-tree.js';
import type { YamlTree } from '../../src/workflows/yaml-tree.js';
import { renderYaml } from '../helpers/yaml-gen.js';

// The fast parser is a shortcut, not a second opinion: wherever it accepts a text, its tree must
// equal the `yaml` package's, node for node, span for span; everywhere else it must step aside.

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '300') * 5;

function fully(text: string): YamlTree | Error {
  try {
    return parseYamlTreeFully(text, DEFAULT_LIMITS);
  } catch (error) {
    return error as Error;
  }
}

/** Fast tree (or undefined) for `text`, after checking it against the full parser. */
function agree(text: string): YamlTree | undefined {
  const fast = parseFastYamlTree(text, DEFAULT_LIMITS.maxEntries);
  if (fast !== undefined) {
    assert.deepStrictEqual(fast, fully(text), `fast and full trees differ for:\n${text}`);
  }
  return fast;
}

const ACCEPTED: Record<string, string> = {
  'block maps, sequences and a compact sequence':
    'on:\n  push:\n    branches: [main]\njobs:\n  a:\n    steps:\n    - run: x\n    -   uses: y@v1\n        with:\n          k: v\n',
  'empty values and their positions': 'a:\nb:   \nc:  # note\nd:\n  -\n  - \n  -  # c\ne: 1',
  'comments and blank lines everywhere':
    '# top\n\non: push # trailing\n  # deeper comment\n\njobs:\n    # indented\n  a:\n# column 0\n    runs-on: x\n\n\n',
  'core-schema scalars':
    'a: [3.10, "3.10", 1e3, .5, -0, +7, 0o17, 0x1F, .inf, -.Inf, .nan, ~, null, NULL, True, FALSE, yes, on]\n1: x\n3.10: y\ntrue: z\n',
  'quoted scalars and escapes':
    'a: \'it\'\'s\'\nb: "tab\\t nl\\n \\x41\\u00e9\\U0001F600 \\\\ \\" \\/ \\_ \\N"\n"c d": 1\n\'e\' : 2\nf: ""\n',
  'plain scalars with indicators inside':
    'a: http://x:8080/y\nb: a#b\nc: -1\nd: --flag\ne: ${{ a }} [x] {y}, z\nf: ?x\ng: :x\n',
  'block scalars: chomping, folding and trailing lines':
    'a: |\n  one\n    two\n\n  three\n\n\nb: >\n  fold\n  this\n\n  para\n    more\n  back\nc: |-\n  strip\n\nd: |+\n  keep\n\n\ne: >-\n  x\nf: |  # header comment\n  y\ng: |\nh: >+\n\ni: |\n\n  late\nj: 1\n',
  'block scalar at the end of the text without a newline': 'a: |\n  x\n  y',
  'block scalar in a sequence and in a compact mapping':
    'steps:\n  - |\n    echo 1\n  - run: |\n      echo 2\n\n    shell: bash\n',
  'flow collections':
    'a: []\nb: {}\nc: [x, "y", \'z\', [1, [2]], {k: v}]\nd: { a: 1, "b": [x], c: {d: e} }\n',
  'unicode text': 'name: é 😀 ü\nrun: echo "λ"\n',
  'multi-line plain scalars, folded':
    'a: one\n  two\n\n\n   three  \n # c\nb: x\n y # t\nc: 1\n  2\n',
  'plain scalars on the line after their key or dash':
    'on:\n  pull_request\nrun:  # c\n   tflint --version\n  more\nl:\n-\n  x\n- y\n  z\n',
  'multi-line plain scalars in sequences and compact mappings':
    's:\n  - one\n    two\n  - k: a\n     b\n    j: c\n',
  'continuation lines with indicators inside': 'a: one\n  --flag [x] {y} "q" t#wo -x ?y :z\n',
  'multi-line flow collections':
    'a: [x,\n  y]\nm:\n  v: [\n    latest,\n    minimum,\n  ]\n  w: [ # c\n\n   "q", [1,\n    2], {k: v}\n# col 0\n    , z\n    ]\n  e: [\n  ]\n  f: {a: 1,\n    b: [x],\n  }\n',
  'trailing commas in flow collections': 'a: [x, ]\nb: {k: v,}\nc: [x,\n]\n',
};

const DECLINED: Record<string, string> = {
  'an anchor and alias': 'a: &x 1\nb: *x\n',
  'a tag': 'a: !!str 1\n',
  'a tab': 'a:\n\tb: 1\n',
  'CRLF line ends': 'a: 1\r\nb: 2\r\n',
  'a multi-line quoted scalar': 'a: "one\n  two"\n',
  'a multi-line plain scalar inside a flow collection': 'a: [one\n  two]\n',
  'a comment inside a multi-line plain scalar': 'a: one\n  # c\n  two\n',
  'a continuation line not indented past its collection': '- k: one\n  two\n',
  'a nested mapping on a continuation line': 'a: one\n  two: x\n',
  'a continuation line starting with `- `': 'a: one\n  - two\n',
  'a flow item not indented past its block': 'a:\n  b: [x,\n  y]\n',
  'an inner closing bracket at the block column': 'a:\n  b: [[x,\n  ]]\n',
  'an empty flow item': 'a: [x,,]\n',
  'a flow collection left open': 'a: [x,\n',
  // The yaml package reads this scalar as a multi-line key (found by the mutation property).
  'a comment line between a key and its plain scalar': 'a:\n#c\n x\nb:\n- n\n',
  'a duplicate key': 'a: 1\na: 2\n',
  'a nested mapping on one line': 'a: b: c\n',
  'an explicit key': '? a\n: b\n',
  'a document marker': '---\na: 1\n',
  'a sequence root': '- a\n- b\n',
  'an indentation indicator': 'a: |2\n   x\n',
  'bad indentation': 'a:\n    b: 1\n  c: 2\n',
  'a comment without a space': 'a: "x"#c\n',
  'an empty document': '# only a comment\n',
  // Found by the mutation property below: `?` before a flow indicator is an explicit key there.
  'a `?` followed by a flow indicator': 'a: {x: 1, b: ?}\n',
};

for (const [name, text] of Object.entries(ACCEPTED)) {
  test(`fast YAML reads ${name} exactly as the yaml package does`, () => {
    assert.notEqual(agree(text), undefined, 'the fast path declined a text in its subset');
  });
}

for (const [name, text] of Object.entries(DECLINED)) {
  test(`fast YAML declines ${name}; parseYamlTree falls back to the yaml package`, () => {
    assert.equal(parseFastYamlTree(text, DEFAULT_LIMITS.maxEntries), undefined);
    const full = fully(text);
    if (full instanceof Error) assert.throws(() => parseYamlTree(text, DEFAULT_LIMITS));
    else assert.deepStrictEqual(parseYamlTree(text, DEFAULT_LIMITS), full);
  });
}

test('fast YAML declines a tree larger than maxEntries, so the full parser reports the limit', () => {
  const text = Array.from({ length: 50 }, (_, i) => `k${i}: v`).join('\n');
  assert.equal(parseFastYamlTree(text, 10), undefined);
  assert.notEqual(parseFastYamlTree(text, 100), undefined);
});

function* yamlFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* yamlFiles(path);
    else if (/\.ya?ml$/.test(name)) yield path;
  }
}

test('fast YAML agrees with the yaml package on every YAML fixture and reads nearly all of them', () => {
  let total = 0;
  let fast = 0;
  let corpus = 0;
  let corpusFast = 0;
  for (const path of [...yamlFiles('test/fixtures'), ...yamlFiles('.github')]) {
    const read = agree(readFileSync(path, 'utf8')) !== undefined;
    // Real third-party workflows (workflow-corpus) are counted apart: a few use constructs the
    // fast path leaves to the full parser by design (a multi-line quoted scalar).
    if (path.includes('workflow-corpus')) {
      corpus++;
      if (read) corpusFast++;
      continue;
    }
    total++;
    if (read) fast++;
  }
  assert.ok(total >= 10, `only ${total} fixtures found`);
  // Only deliberately malformed fixtures (duplicate keys …) may take the slow path.
  assert.ok(fast >= total - 3, `fast path read ${fast} of ${total} fixtures`);
  // Multi-line plain scalars and flow collections, and `on:` over two lines, are read directly.
  assert.ok(corpus >= 200, `only ${corpus} corpus files found`);
  assert.ok(corpusFast >= corpus * 0.98, `fast path read ${corpusFast} of ${corpus} corpus files`);
});

// --- Differential fuzzing -------------------------------------------------------------------

const EDITS = [
  ' ',
  '  ',
  '\n',
  ':',
  ': ',
  '- ',
  '#',
  ' #',
  '|',
  '>',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '!',
  '?',
  '\\',
  '-',
  '+',
  '\t',
  '\r\n',
  'é',
  '\n\n',
];

test('fast YAML matches the yaml package on generated workflow-like texts (fast-check)', () => {
  let fast = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      runs++;
      if (agree(renderYaml(seed)) !== undefined) fast++;
    }),
    { numRuns: RUNS },
  );
  // The generator stays inside the subset, so the comparison above is not vacuous.
  assert.ok(fast >= runs * 0.9, `fast path read ${fast} of ${runs} generated texts`);
});

test('fast YAML matches the yaml package on mutated texts, or declines them (fast-check)', () => {
  let fast = 0;
  let runs = 0;
  fc.assert(
    fc.property(
      fc.integer(),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EDITS), fc.nat(3)), {
        minLength: 1,
        maxLength: 3,
      }),
      (seed, edits) => {
        let text = renderYaml(seed);
        for (const [at, insert, remove] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + remove);
        }
        runs++;
        if (agree(text) !== undefined) fast++;
      },
    ),
    { numRuns: RUNS },
  );
  assert.ok(fast >= runs * 0.2, `fast path read only ${fast} of ${runs} mutated texts`);
});
