import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

// `curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`: code fetched and run unverified.
const DOWNLOAD = /\b(?:curl|wget)\b/;
const SHELL_AFTER_PIPE = /\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/y;
const SHELL_OF_DOWNLOAD = /\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b/;

/** Whether a line pipes a download into a shell; each pipe is tried once (linear). */
function pipesToShell(line: string): boolean {
  if (SHELL_OF_DOWNLOAD.test(line)) return true;
  const download = DOWNLOAD.exec(line);
  if (download === null) return false;
  for (
    let pipe = line.indexOf('|', download.index);
    pipe >= 0;
    pipe = line.indexOf('|', pipe + 1)
  ) {
    SHELL_AFTER_PIPE.lastIndex = pipe;
    if (SHELL_AFTER_PIPE.test(line)) return true;
  }
  return false;
}

export default defineRule<WorkflowAuditInput, 'pipeToShell'>({
  id: 'ci/unverified-script-exec',
  title: 'Script downloaded and run without verification',
  target: 'workflow',
  severity: 'low',
  confidence: 'medium',
  equivalents: { zizmor: [] },
  policy:
    'PyTorch P5 (immutable references), P8 (reproducible, cold-start builds); OpenSSF Scorecard Pinned-Dependencies',
  messages: {
    pipeToShell:
      'This step pipes a download straight into a shell; whoever controls that URL (or its CDN) runs code in this job. Download a pinned version, check its hash, then run it.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        if (step.run === undefined) continue;
        // Both patterns need a download command: most scripts have none and skip the line split.
        const script = step.run.text;
        if (!script.includes('curl') && !script.includes('wget')) continue;
        if (script.split('\n').some(pipesToShell)) {
          ctx.report({ messageId: 'pipeToShell', at: at(step.run) });
        }
      }
    }
  },
});
