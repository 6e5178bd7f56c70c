import type { RepoSnapshot } from '../../github/snapshot.js';
import { bool, dataOf } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

// GitHub shows a security policy from the root, .github/ or docs/.
const POLICY_PATHS = ['SECURITY.md', '.github/SECURITY.md', 'docs/SECURITY.md'];

export default defineRule<RepoSnapshot, 'noPolicy' | 'noPrivateReporting'>({
  id: 'repo/security-policy',
  title: 'No security policy or private vulnerability reporting',
  target: 'github',
  severity: 'medium',
  confidence: 'high',
  policy: 'OpenSSF Scorecard Security-Policy; PyTorch SECURITY.md (reporting vulnerabilities)',
  messages: {
    noPolicy:
      'The repository has no SECURITY.md (looked in the root, .github/ and docs/): reporters do not know where to send a vulnerability, so it lands in a public issue. Add one that names a private channel.',
    noPrivateReporting:
      'Private vulnerability reporting is off, so reporters of this public repository have no private channel on GitHub. Turn it on in Settings → Code security (Advanced Security) → Private vulnerability reporting.',
  },
  check(ctx, snapshot) {
    const candidates = snapshot.files.filter((f) => POLICY_PATHS.includes(f.path));
    const present = candidates.some((f) => f.read.state === 'ok');
    // A candidate that could not be read may be the policy: only absence everywhere is a finding.
    if (!present && candidates.length > 0 && candidates.every((f) => f.read.state === 'absent')) {
      ctx.report({ messageId: 'noPolicy', at: atRead(snapshot.repository, ['name']) });
    }
    const pvr = snapshot.privateVulnerabilityReporting;
    if (snapshot.isPublic === true && bool(dataOf(pvr), 'enabled') === false) {
      ctx.report({ messageId: 'noPrivateReporting', at: atRead(pvr, ['enabled']) });
    }
  },
});
