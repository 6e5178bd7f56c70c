// Kept apart from workflow-audit.ts so the scanner can route files without loading the YAML
// front end.

/**
 * Whether a '/'-separated path names a file the workflow audit reads: a workflow directly in
 * `.github/workflows/` (`*.yml` / `*.yaml`; GitHub ignores subfolders) or an action metadata file
 * (`action.yml` / `action.yaml`) anywhere.
 */
export function isWorkflowPath(relPosixPath: string): boolean {
  const parts = relPosixPath.split('/').filter((p) => p !== '' && p !== '.');
  const base = parts[parts.length - 1] ?? '';
  if (base === 'action.yml' || base === 'action.yaml') return true;
  if (configFileKind(relPosixPath) !== undefined) return true;
  return (
    parts.length >= 3 &&
    parts[parts.length - 3] === '.github' &&
    parts[parts.length - 2] === 'workflows' &&
    (base.endsWith('.yml') || base.endsWith('.yaml'))
  );
}

/**
 * The configuration files the workflow audit also reads: `.github/dependabot.yml` (Dependabot
 * reads only that path) and `.pre-commit-config.yaml` anywhere (pre-commit's default name).
 */
export function configFileKind(relPosixPath: string): 'dependabot' | 'pre-commit' | undefined {
  const parts = relPosixPath.split('/').filter((p) => p !== '' && p !== '.');
  const base = parts[parts.length - 1] ?? '';
  if (base === '.pre-commit-config.yaml' || base === '.pre-commit-config.yml') return 'pre-commit';
  if (
    (base === 'dependabot.yml' || base === 'dependabot.yaml') &&
    parts[parts.length - 2] === '.github'
  ) {
    return 'dependabot';
  }
  return undefined;
}

/**
 * The configuration kind of a file the audit was handed (a file named on the command line): like
 * configFileKind, but a `dependabot.yml` outside `.github/` counts too, except in a `workflows/`
 * folder, where it is a workflow that happens to carry that name.
 */
export function configFileKindOfInput(path: string): 'dependabot' | 'pre-commit' | undefined {
  const posix = path.split('\\').join('/');
  const known = configFileKind(posix);
  if (known !== undefined) return known;
  const parts = posix.split('/').filter((p) => p !== '' && p !== '.');
  const base = parts[parts.length - 1] ?? '';
  if (
    (base === 'dependabot.yml' || base === 'dependabot.yaml') &&
    parts[parts.length - 2] !== 'workflows'
  ) {
    return 'dependabot';
  }
  return undefined;
}
