import type { Step } from '../../../workflows/model.js';
import { stepAction } from '../../../workflows/steps.js';

// Build tools and script runners: executing them runs code from the checked-out tree
// (poutine's untrusted_checkout_exec list, extended with PyTorch's Python tooling).
const EXEC_WORDS = new Set([
  'yarn',
  'pnpm',
  'npx',
  'node',
  'python',
  'python3',
  'pytest',
  'tox',
  'nox',
  'make',
  'cmake',
  'ninja',
  'bazel',
  'bazelisk',
  'mvn',
  'gradle',
  'rake',
  'msbuild',
  'ant',
  'pre-commit',
  'source',
  'tsc',
  'jest',
  'meson',
  'scons',
  'lintrunner',
]);
const EXEC_PAIRS: Readonly<Record<string, readonly string[]>> = {
  npm: ['ci', 'install', 'i', 'run', 'test', 'start', 'exec'],
  pip: ['install'],
  pip3: ['install'],
  uv: ['sync', 'run', 'pip', 'build'],
  poetry: ['install', 'run', 'build'],
  cargo: ['build', 'test', 'run', 'check', 'clippy', 'install'],
  go: ['build', 'test', 'run', 'generate', 'vet'],
  bundle: ['install', 'exec'],
  composer: ['install'],
  dotnet: ['build', 'test', 'run', 'restore'],
  docker: ['build'],
  chmod: ['+x'],
  git: ['submodule'],
};

/** Whether a shell script runs a build tool or a script from the working tree. */
export function runExecutes(script: string): boolean {
  const tokens = script.split(/[\s;&|()`]+/);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token.startsWith('./') || token.endsWith('.sh') || token.endsWith('.py')) return true;
    if (EXEC_WORDS.has(token)) return true;
    const second = EXEC_PAIRS[token];
    if (second?.includes(tokens[i + 1] ?? '') === true) return true;
  }
  return false;
}

const EXEC_ACTIONS = new Set([
  'docker/build-push-action',
  'pre-commit/action',
  'golangci/golangci-lint-action',
  'github/codeql-action/autobuild',
  'sonarsource/sonarcloud-github-action',
  'sonarsource/sonarqube-scan-action',
  'pypa/cibuildwheel',
  'pyo3/maturin-action',
  'gradle/gradle-build-action',
  'gradle/actions/setup-gradle',
  'cypress-io/github-action',
  'borales/actions-yarn',
  'actions/setup-node',
]);

/** Whether a step builds or runs code from the working tree (the checked-out repository). */
export function executesCheckout(step: Step): boolean {
  if (step.uses !== undefined) {
    if (step.uses.text.trim().startsWith('./')) return true;
    const name = stepAction(step);
    if (name !== undefined && EXEC_ACTIONS.has(name)) {
      // setup-node executes nothing by itself; only its dependency cache reads the tree.
      return name !== 'actions/setup-node';
    }
  }
  return step.run !== undefined && runExecutes(step.run.text);
}

/**
 * Whether a step writes to GITHUB_ENV or GITHUB_PATH (later steps run with those values).
 * `constant` (default true) also counts writes of constant text, such as
 * `echo "FOO=1" >> "$GITHUB_ENV"`; without it only writes whose value may vary do.
 */
export function writesGithubEnv(script: string, constant = true): boolean {
  if (!script.includes('GITHUB_ENV') && !script.includes('GITHUB_PATH')) return false;
  for (const line of script.split('\n')) {
    if (!line.includes('GITHUB_ENV') && !line.includes('GITHUB_PATH')) continue;
    if (
      line.includes('>') ||
      /\btee\b/.test(line) ||
      line.includes('Add-Content') ||
      line.includes('Out-File')
    ) {
      if (constant || !constantWrite(line)) return true;
    }
  }
  return false;
}

/**
 * Whether a GITHUB_ENV/GITHUB_PATH line writes constant text: `echo`/`printf` of text with no
 * shell expansion, command substitution or `${{ }}` once the target file's own name is removed.
 * A heredoc, `tee` or `cat` copies input from elsewhere and is never constant.
 */
function constantWrite(line: string): boolean {
  const trimmed = line.trim();
  if (!/^(?:echo|printf)\s/.test(trimmed)) return false;
  if (trimmed.includes('<<') || /\btee\b/.test(trimmed) || trimmed.includes('|')) return false;
  const rest = trimmed.replace(/"?\$\{?(?:GITHUB_ENV|GITHUB_PATH)\}?"?/g, '');
  return !rest.includes('$') && !rest.includes('`') && !rest.includes('%');
}
