import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';

// docs/contributing.md stays honest: every repository path it names exists, with the worked
// example (the gguf family and format, its malformed-input rule, the convert command) filled into
// each placeholder. Renaming or moving a file it names fails here until the page follows.

const EXAMPLE: Record<string, string> = {
  '<family>': 'gguf',
  '<rule-name>': 'malformed-input',
  '<fmt>': 'gguf',
  '<name>': 'convert',
};

it('names only files that exist', () => {
  const page = readFileSync('docs/contributing.md', 'utf8');
  const paths = [...page.matchAll(/`((?:src|test|docs|scripts)\/[^`\s]*)`/g)].map(
    (m) => m[1] ?? '',
  );
  assert.ok(paths.length >= 25, `only ${paths.length} paths found`);
  const missing: string[] = [];
  for (const path of new Set(paths)) {
    // A folder pattern such as test/fixtures/<fmt>/{ok,bad,evil}/ names each folder.
    const filled = path.replace(/<[a-z-]+>/g, (p) => EXAMPLE[p] ?? p);
    const alternatives = /\{([^}]+)\}/.exec(filled);
    const concrete =
      alternatives === null
        ? [filled]
        : (alternatives[1] ?? '').split(',').map((a) => filled.replace(alternatives[0], a));
    for (const c of concrete) if (!existsSync(c)) missing.push(`${path} (${c})`);
  }
  assert.deepEqual(missing, []);
});
