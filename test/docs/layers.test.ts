import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The import boundaries of eslint.config.js, read through ESLint's own config resolution (the
// config a file of that layer really gets), so a block that later overrides another cannot
// silently drop a ban. Lint itself then enforces them on the code.

interface Pattern {
  readonly regex?: string;
  readonly group?: readonly string[];
}

const eslint = new ESLint();

/** Whether the resolved config of `file` forbids importing `spec`. */
async function banned(file: string, spec: string): Promise<boolean> {
  const config = (await eslint.calculateConfigForFile(file)) as {
    rules?: Record<string, unknown>;
  };
  const entry = config.rules?.['no-restricted-imports'];
  if (!Array.isArray(entry)) return false;
  const [level, ...options] = entry as [unknown, ...{ patterns?: Pattern[] }[]];
  if (level === 0 || level === 'off') return false;
  return options.some((option) =>
    (option.patterns ?? []).some(
      (pattern) => pattern.regex !== undefined && new RegExp(pattern.regex, 'u').test(spec),
    ),
  );
}

/** Asserts for each (file, import) pair whether lint bans that import in that file. */
async function expectBanned(expected: boolean, cases: readonly [string, string][]): Promise<void> {
  for (const [file, spec] of cases) {
    assert.equal(await banned(file, spec), expected, `${file}: ${spec} banned ≠ ${expected}`);
  }
}

describe('layer boundaries (eslint.config.js)', () => {
  it('keeps the ci judgement out of the YAML model and every layer outside rules/', async () => {
    await expectBanned(true, [
      ['src/workflows/audit-input.ts', '../rules/ci/judge/publishing.js'],
      ['src/workflows/steps.ts', '../rules/ci/judge/runners.js'],
      ['src/deploy/model.ts', '../rules/ci/judge/execution.js'],
      ['src/engine/workflow-audit.ts', '../rules/ci/judge/effective-jobs.js'],
      ['src/engine/handlers/zip.ts', '../../rules/ci/judge/triggers.js'],
      ['src/loader/open-checkpoint.ts', '../rules/ci/judge/secrets.js'],
    ]);
  });

  it('lets rules read the judgement and the model', async () => {
    await expectBanned(false, [
      ['src/rules/ci/persist-credentials.ts', './judge/effective-jobs.js'],
      ['src/rules/repo/jobs.ts', '../ci/judge/publishing.js'],
      ['src/rules/ci/judge/publishing.ts', '../../../workflows/steps.js'],
      ['src/engine/workflow-audit.ts', '../rules/ci/index.js'],
    ]);
  });

  it('keeps workflows/ to core and itself', async () => {
    for (const layer of ['rules', 'engine', 'formats', 'deploy', 'cli']) {
      assert.equal(await banned('src/workflows/model.ts', `../${layer}/x.js`), true, layer);
    }
    assert.equal(await banned('src/workflows/model.ts', '../core/finding.js'), false);
    assert.equal(await banned('src/workflows/model.ts', './yaml-tree.js'), false);
  });
});
