// Kept apart from model.ts so the scanner can route files without loading the YAML front end.

/** The kinds of deployment file the `deploy/*` rules read. */
export type DeployKind = 'kubernetes' | 'compose' | 'helm-values' | 'dockerfile' | 'shell';

/** Whether a file name needs its first bytes read to know its deployment kind (YAML). */
export function needsHead(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * The deployment kind of a file from its path ('/'-separated) and, for YAML, its first bytes:
 * Dockerfile/Containerfile, compose files, shell and SLURM scripts (`.sh`, `.bash`, `.slurm`,
 * `.sbatch`), Kubernetes manifests (YAML with top-level `apiVersion:` and `kind:`) and Helm
 * `values*.yaml`. Helm templates (`templates/` with `{{`) are not plain YAML and are left out.
 */
export function deployKindOf(path: string, head: string | undefined): DeployKind | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (
    /^(?:Dockerfile|Containerfile)(?:\..+)?$/i.test(base) ||
    /\.(?:dockerfile|containerfile)$/i.test(base)
  ) {
    return 'dockerfile';
  }
  if (/\.(?:sh|bash|slurm|sbatch)$/i.test(base)) return 'shell';
  if (!/\.ya?ml$/i.test(base) || head === undefined) return undefined;
  if (/(?:^|\/)templates\//.test(path) && head.includes('{{')) return undefined;
  if (/^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/i.test(base)) return 'compose';
  if (/^apiVersion:[ \t]*\S/m.test(head) && /^kind:[ \t]*\S/m.test(head)) return 'kubernetes';
  if (/^values(?:[.-][\w.-]+)?\.ya?ml$/i.test(base)) return 'helm-values';
  return undefined;
}
