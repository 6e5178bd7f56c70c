import type { DeployFile } from '../../deploy/model.js';
import { defineRule } from '../define-rule.js';

/** A deployment file that could not be read (reported by the engine, never by check). */
export default defineRule<DeployFile, 'malformed'>({
  id: 'deploy/malformed-input',
  title: 'Deployment file could not be read',
  target: 'deploy',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward: input must be readable to be judged',
  messages: {
    malformed: 'Cannot read this deployment file ({{code}}): {{detail}}',
  },
  check() {
    // Reported by the engine (src/engine/deploy-audit.ts) when reading or parsing fails.
  },
});
