/**
 * Known-compromised and known-vulnerable action versions, checked offline.
 *
 * Compiled by hand from public advisories (GitHub Advisory Database, the projects' own
 * post-incident notes); each entry names its advisory. `commits` are malicious commits an attacker
 * pushed (a pin to one of them ran the payload); `below` is the first fixed release, and tag refs
 * (`v45`, `v4.1.2`) whose version is lower are reported. SHA pins whose version is unknown
 * offline are not judged against `below`.
 */
export const VULNERABLE_ACTIONS_AS_OF = '2026-12-07';

export interface VulnerableAction {
  /** `owner/repo`, lower-cased. */
  readonly repo: string;
  /** GHSA or CVE identifier. */
  readonly advisory: string;
  readonly summary: string;
  readonly severity: 'critical' | 'high' | 'medium';
  /** Malicious commit SHAs (lower-case, 40 hex digits). */
  readonly commits?: readonly string[];
  /** Versions below this one are affected (tags compared numerically, `v` prefix ignored). */
  readonly below?: string;
  /** Versions from this one on are affected (default: every version below `below`). */
  readonly from?: string;
}

export const VULNERABLE_ACTIONS: readonly VulnerableAction[] = [
  {
    repo: 'tj-actions/changed-files',
    advisory: 'CVE-2025-30066',
    summary:
      'compromised on 2025-03-14: this commit dumps the runner memory, secrets included, into the build log',
    severity: 'critical',
    commits: ['0e58ed8671d6b60d0890c21b07f8835ace038e67'],
  },
  {
    repo: 'tj-actions/changed-files',
    advisory: 'GHSA-mrrh-fwg8-r2c3 (CVE-2025-30066)',
    summary:
      'every tag up to v45.0.7 was re-pointed to a secret-dumping commit in March 2025; the first release never affected is v46.0.1',
    severity: 'high',
    below: '46.0.1',
  },
  {
    repo: 'tj-actions/changed-files',
    advisory: 'GHSA-mcph-m25j-8j63 (CVE-2023-51664)',
    summary: 'command injection through crafted file names in its outputs, fixed in v41',
    severity: 'high',
    below: '41',
  },
  {
    repo: 'reviewdog/action-setup',
    advisory: 'CVE-2025-30154',
    summary:
      'compromised on 2025-03-11: this commit dumps the runner memory, secrets included, into the build log',
    severity: 'critical',
    commits: ['f0d342d24037bb11d26b9bd8496e0808ba32e9ec'],
  },
  {
    repo: 'rlespinasse/github-slug-action',
    advisory: 'GHSA-6q4m-7476-932w (CVE-2023-27581)',
    summary: 'arbitrary code execution through crafted branch names, fixed in 4.4.1',
    severity: 'high',
    from: '4.0.0',
    below: '4.4.1',
  },
  {
    repo: 'actions/download-artifact',
    advisory: 'GHSA-cxww-7g56-2vh6 (CVE-2024-42471)',
    summary: 'a crafted artifact can write files outside the destination folder, fixed in 4.1.3',
    severity: 'high',
    from: '4.0.0',
    below: '4.1.3',
  },
];
