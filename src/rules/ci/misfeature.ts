import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction } from '../../workflows/steps.js';
import { getMap, getScalar } from '../../workflows/yaml-tree.js';
import type { YNode, YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// The shells GitHub documents for `shell:` (docs: workflow syntax, defaults.run.shell).
const WELL_KNOWN_SHELLS = new Set(['bash', 'sh', 'pwsh', 'powershell', 'python']);

/** The program of a `shell:` value: `bash -e {0}` → `bash`, `C:\\x\\cmd.exe` → `cmd`. */
function shellProgram(value: string): string {
  const first = value.trim().split(/\s+/)[0] ?? '';
  const base = first.split(/[\\/]/).pop() ?? first;
  return base.toLowerCase().replace(/\.exe$/, '');
}

function defaultShell(node: YNode | undefined): YScalar | undefined {
  return getScalar(getMap(getMap(node, 'defaults'), 'run'), 'shell');
}

export default defineRule<WorkflowAuditInput, 'pipInstall' | 'cmdShell' | 'customShell'>({
  id: 'ci/misfeature',
  title: 'GitHub Actions feature that hides what runs',
  target: 'workflow',
  severity: 'low',
  confidence: 'high',
  equivalents: { zizmor: ['misfeature'] },
  policy: 'Auditability of CI code; reproducible installs (PEP 668)',
  messages: {
    pipInstall:
      "setup-python's `pip-install` installs packages into the global interpreter, outside any lockfile or virtual environment; install them in a `run:` step into a venv from a locked requirements file.",
    cmdShell:
      '`shell: cmd` has no formal grammar, so neither reviewers nor tools can tell what the script does with its inputs (and it has not been the Windows default since 2019); use `pwsh` or `bash`.',
    customShell:
      '`shell: {{shell}}` is not one of the shells GitHub documents, so the script cannot be analysed and may not exist on every runner; use bash, sh, pwsh or python.',
  },
  check(ctx, { workflow }) {
    const checkShell = (shell: YScalar | undefined): void => {
      if (shell === undefined || shell.text.includes('${{')) return;
      const program = shellProgram(shell.text);
      if (program === 'cmd') ctx.report({ messageId: 'cmdShell', at: at(shell) });
      // Custom shells are usually deliberate: reported only in pedantic runs.
      else if (!WELL_KNOWN_SHELLS.has(program) && ctx.options.pedantic === true) {
        ctx.report({
          messageId: 'customShell',
          data: { shell: shell.text },
          at: at(shell),
          severity: 'info',
        });
      }
    };
    checkShell(defaultShell(workflow.root));
    for (const job of workflow.jobs) {
      if (!job.pseudo) checkShell(defaultShell(job.node));
      for (const step of job.steps) {
        if (step.run !== undefined) checkShell(getScalar(step.node, 'shell'));
        if (stepAction(step) === 'actions/setup-python') {
          const entry = step.with?.entries.get('pip-install');
          if (entry !== undefined) ctx.report({ messageId: 'pipInstall', at: at(entry.key) });
        }
      }
    }
  },
});
