import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { at } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

// `curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`: code fetched and run unverified.
const PIPE_TO_SHELL =
  /\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b/;

export default defineRule<WorkflowAuditInput, 'pipeToShell'>({
  id: 'ci/unverified-script-exec',
  title: 'Script downloaded and run without verification',
  target: 'workflow',
  severity: 'low',
  confidence: 'medium',
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
        if (step.run.text.split('\n').some((line) => PIPE_TO_SHELL.test(line))) {
          ctx.report({ messageId: 'pipeToShell', at: at(step.run) });
        }
      }
    }
  },
});
