// Dumps every finding of the workflow audit over a bench corpus as JSON lines, so that two builds
// can be compared finding for finding (a speed change must not change any finding).
// Usage: node bench/workflows.mjs (generates bench/out/), then
//        node bench/workflow-findings.mjs [DIST] [ROOT] [PREFIX] > findings.jsonl
//   DIST    a compiled dist/ directory (default: this checkout's dist/)
//   ROOT    a generated repository (default: bench/out/real-workflows-repo)
//   PREFIX  file-name prefix of the workflows to audit (default: every .yml/.yaml file)
// Both modes are dumped: default and pedantic. Compare two dumps with `cmp` or `diff`.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const root = process.argv[3] ?? join('bench', 'out', 'real-workflows-repo');
const prefix = process.argv[4] ?? '';
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { DEFAULT_LIMITS } = await load('core/limits.js');
const { auditWorkflowFiles } = await load('engine/workflow-audit.js');
const dir = join(root, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((name) => name.startsWith(prefix) && /\.ya?ml$/.test(name))
  .sort()
  .map((name) => ({ path: join(dir, name), uri: `.github/workflows/${name}` }));
for (const pedantic of [false, true]) {
  const results = await auditWorkflowFiles(files, {
    limits: DEFAULT_LIMITS,
    config: {},
    repoRoot: root,
    pedantic,
  });
  for (const result of results) {
    process.stdout.write(
      JSON.stringify({
        pedantic,
        uri: result.uri,
        hidden: result.hidden ?? 0,
        internalErrors: result.internalErrors.length,
        findings: result.findings,
      }) + '\n',
    );
  }
}
