import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepCommands } from '../../workflows/steps.js';
import { defineRule } from '../define-rule.js';

// npm's abbreviations and common misspellings of `install` (npm accepts them all).
const NPM_INSTALL = new Set([
  'install',
  'i',
  'in',
  'ins',
  'inst',
  'insta',
  'instal',
  'isnt',
  'isnta',
  'isntal',
  'isntall',
  'add',
]);

/** Whether a command installs a package outside a lockfile. */
// Every command adhocInstall accepts names one of these programs: a script without any of them
// needs no splitting.
const INSTALLERS = /\b(?:gem|npm|yarn|pnpm|bundle)\b/;

function adhocInstall(words: readonly string[]): boolean {
  const [program, ...args] = words;
  const operands = (from: number): string[] => args.slice(from).filter((a) => !a.startsWith('-'));
  switch (program ?? '') {
    case 'gem':
      return args[0] === 'install' || args[0] === 'i';
    case 'npm': {
      const verb = args.findIndex((a) => !a.startsWith('-'));
      // `npm install` with no package name installs the lockfile's set: that is the safe form.
      return verb >= 0 && NPM_INSTALL.has(args[verb] ?? '') && operands(verb + 1).length > 0;
    }
    case 'yarn':
    case 'pnpm':
    case 'bundle': {
      const verb = args.indexOf('add');
      return verb >= 0 && operands(verb + 1).length > 0;
    }
    default:
      return false;
  }
}

export default defineRule<WorkflowAuditInput, 'adhoc'>({
  id: 'ci/adhoc-packages',
  title: 'Package installed outside a lockfile',
  target: 'workflow',
  severity: 'low',
  confidence: 'medium',
  equivalents: { zizmor: ['adhoc-packages'] },
  policy: 'OpenSSF Scorecard Pinned-Dependencies; SLSA build integrity; CWE-1357',
  messages: {
    adhoc:
      '`{{command}}` installs outside any lockfile: the package (or, when its version is pinned, its dependencies) resolves to whatever is newest when the job runs; add it to a manifest with a committed lockfile and install with `npm ci` / `bundle install`.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        if (step.run === undefined || !INSTALLERS.test(step.run.text)) continue;
        for (const words of stepCommands(step)) {
          if (!adhocInstall(words)) continue;
          ctx.report({ messageId: 'adhoc', data: { command: words.join(' ') }, at: at(step.run) });
          // One finding per step: the step is what the user fixes.
          break;
        }
      }
    }
  },
});
