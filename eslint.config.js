// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

/** Imports of src/rules/ci/judge/ (the ci rules' shared judgement), banned outside src/rules/. */
const CI_JUDGEMENT = {
  regex: '(^|/)rules/ci/judge/',
  message:
    'job-role judgement (src/rules/ci/judge/) belongs to the rules; workflows/ is the YAML model only.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      'node_modules/',
      'test/fixtures/',
      'bench/out/',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    plugins: { regexp },
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'suite', 'test'] },
          ],
        },
      ],
      // Binary decoders use bitwise arithmetic and explicit index loops on purpose.
      '@typescript-eslint/prefer-for-of': 'off',
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: true },
      ],
    },
  },
  {
    files: ['src/core/**', 'src/formats/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/(workflows|rules|engine|loader|provenance|reporters|cli|server)/',
              message: 'core and formats never import the layers above them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/github/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/(rules|engine|reporters|cli|server)/',
              message: 'github/ (settings model, merge gate, API client) sits beside workflows/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/reporters/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/(formats|workflows|rules|engine|cli|server)/',
              message: 'reporters import only core.',
            },
          ],
        },
      ],
    },
  },
  // Every other layer, as docs/architecture.md draws them: imports point inward only.
  ...[
    {
      files: ['src/workflows/**'],
      banned: 'formats|deploy|rules|engine|loader|provenance|probe|reporters|cli|server',
      message: 'workflows (the YAML model) imports only core.',
    },
    {
      files: ['src/provenance/**'],
      banned: 'workflows|deploy|rules|engine|loader|probe|reporters|cli|server',
      message: 'provenance imports only core and formats.',
    },
    {
      files: ['src/rules/**'],
      banned: 'provenance|engine|loader|probe|reporters|cli|server',
      message:
        'rules never import provenance (beside the engine), the engine, loader, reporters or entry points.',
    },
    {
      files: ['src/engine/**'],
      banned: 'provenance|loader|probe|reporters|cli|server',
      message:
        'the engine never imports provenance (callers verify signatures and pass the results in), the loader, reporters or entry points.',
    },
    {
      files: ['src/deploy/**'],
      banned: 'formats|rules|engine|loader|provenance|probe|reporters|cli|server',
      message:
        'deploy (the deployment model) imports only core and workflows (the YAML front end).',
    },
    {
      files: ['src/probe/**'],
      banned: 'formats|workflows|deploy|rules|engine|loader|provenance|reporters|cli|server',
      message: 'the probe imports only core.',
    },
    {
      files: ['src/hub/**'],
      banned: 'formats|workflows|deploy|rules|engine|loader|provenance|probe|reporters|cli|server',
      message: 'hub (the Hugging Face Hub client) imports only core.',
    },
    {
      files: ['src/server/**'],
      banned: 'probe|sandbox|guard|loader|memorization|web',
      message:
        'server (the scanning service) imports core, engine, reporters and the SARIF renderer of cli.',
    },
    {
      files: ['src/web/**'],
      banned: 'cli|server|loader|probe|provenance|sandbox|guard|workflows|deploy',
      message:
        'web (the browser bundle) imports only core, the engine and reporters: nothing that needs Node.',
    },
    {
      files: ['src/redteam/**'],
      banned:
        'formats|workflows|deploy|rules|engine|loader|provenance|probe|reporters|cli|server|memorization|sandbox',
      message: 'redteam imports only core, llm, stats, report and guard.',
    },
    {
      files: ['src/privacy/**'],
      banned: 'workflows|deploy|rules|engine|loader|provenance|probe|reporters|cli|server',
      message: 'privacy (recognisers, dataset readers, redaction) imports only core and formats.',
    },
    {
      files: ['src/llm/**', 'src/stats/**'],
      banned:
        'formats|workflows|deploy|github|rules|engine|loader|provenance|probe|reporters|cli|server|web|hub|privacy|report|memorization|redteam|sandbox|guard',
      message: 'llm (the log-probability client) and stats import only core.',
    },
    {
      files: ['src/report/**'],
      banned:
        'formats|workflows|deploy|github|rules|engine|loader|provenance|probe|reporters|cli|server|web|hub|privacy|llm|stats|memorization|redteam|sandbox|guard',
      message: 'report (HTML pages and SVG charts) imports only core.',
    },
    {
      files: ['src/memorization/**'],
      banned:
        'formats|workflows|deploy|github|rules|engine|loader|provenance|probe|reporters|cli|server|web|hub|privacy|redteam|sandbox|guard',
      message: 'memorization imports only core, llm, stats and report.',
    },
    {
      files: ['src/sandbox/**'],
      banned:
        'workflows|deploy|github|rules|loader|provenance|probe|reporters|cli|server|web|hub|llm|stats|report|memorization|redteam|guard',
      message: 'sandbox imports only core, formats, the engine and privacy (the secret check).',
    },
    {
      files: ['src/guard/**'],
      banned:
        'core|formats|workflows|deploy|github|rules|engine|loader|provenance|probe|reporters|cli|server|web|hub|privacy|llm|stats|report|memorization|redteam|sandbox',
      message: 'guard imports only Node built-ins and its own packages; the CLI composes it.',
    },
    {
      files: ['src/loader/**'],
      banned: 'workflows|deploy|rules|provenance|probe|reporters|cli|server',
      message: 'the loader imports core, formats and the engine (to scan before it opens).',
    },
  ].map(({ files, banned, message }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^(\\.\\./)+(${banned})/`, message },
            // The ci family's judgement (which jobs publish, build releases, run checked-out code,
            // which runners persist) is read by rules only: the engine and every layer below it
            // hand rules the model, never a verdict.
            ...(files.includes('src/rules/**') ? [] : [CI_JUDGEMENT]),
          ],
        },
      ],
    },
  })),
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Tests assert on raw terminal output.
      'no-control-regex': 'off',
      // Tests probe results defensively; a redundant `?.` there costs nothing.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
