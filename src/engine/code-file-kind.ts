import type { CodeFileKind } from '../rules/code/input.js';

/**
 * The code-audit kind of a file from its name: `*.py`, `*.ipynb`, `*.sh`/`*.bash`, Dockerfiles
 * (`Dockerfile`, `Dockerfile.*`, `*.dockerfile`, `Containerfile`), `requirements*.txt`,
 * `pyproject.toml`, `setup.cfg`, conda `environment.yml`/`.yaml`. Undefined for anything else.
 */
export function codeFileKind(path: string): CodeFileKind | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  if (lower.endsWith('.py') || lower.endsWith('.pyw')) return 'python';
  if (lower.endsWith('.ipynb')) return 'notebook';
  if (lower.endsWith('.sh') || lower.endsWith('.bash')) return 'shell';
  if (/^(?:dockerfile|containerfile)(?:\..+)?$/.test(lower) || lower.endsWith('.dockerfile')) {
    return 'dockerfile';
  }
  if (/^requirements.*\.txt$/.test(lower) || lower.endsWith('-requirements.txt'))
    return 'requirements';
  if (lower === 'pyproject.toml') return 'pyproject';
  if (lower === 'setup.cfg') return 'setup-cfg';
  if (lower === 'environment.yml' || lower === 'environment.yaml') return 'conda';
  return undefined;
}
