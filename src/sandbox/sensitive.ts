import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { lstatSync, readdirSync } from 'node:fs';
import { makeLimits } from '../core/limits.js';
import { PrivacyDetector } from '../privacy/detect.js';
import { privacyFormatOf } from '../privacy/records.js';
import { scanPrivacyFile } from '../privacy/scan-file.js';
import type { SandboxInput } from './paths.js';

/** One secret or piece of personal data found in an input. The value is never kept or printed. */
export interface SensitiveFinding {
  readonly path: string;
  /** Byte offset of the match in the file (the byte scan; model metadata). */
  readonly offset?: number;
  /** Where `scan --privacy` found it in a data file: line, record, column. */
  readonly line?: number;
  readonly record?: number;
  readonly column?: string;
  /** `AWS access key id` (byte scan) or the privacy rule (`privacy/email`, `privacy/secret/aws`). */
  readonly kind: string;
}

/** What the check looked at. */
export interface SensitiveCheck {
  readonly findings: readonly SensitiveFinding[];
  readonly files: number;
  readonly bytes: number;
}

// Obvious secrets only: formats with a fixed, documented prefix and shape, so a match in model
// weights or data is very unlikely to be chance. Each alternative is a literal prefix followed by
// bounded classes, so matching stays linear in the input. Files `scan --privacy` reads as data
// (text, JSON/JSONL, CSV/TSV, Parquet, Arrow, model metadata) also get its full pass: gitleaks'
// secret rules and the personal-data recognisers (see privacyFindings).
const PATTERNS: readonly { kind: string; re: RegExp }[] = [
  {
    kind: 'private key (PEM)',
    re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/,
  },
  { kind: 'AWS access key id', re: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { kind: 'GitHub token', re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  {
    kind: 'GitHub fine-grained token',
    re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])/,
  },
  { kind: 'Hugging Face token', re: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])/ },
  { kind: 'Slack token', re: /(?<![A-Za-z0-9])xox[abprs]-[0-9A-Za-z]{10,48}-[0-9A-Za-z-]{10,200}/ },
  {
    kind: 'OpenAI API key',
    re: /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160}/,
  },
  { kind: 'Google API key', re: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { kind: 'GitLab token', re: /(?<![A-Za-z0-9])glpat-[0-9A-Za-z_-]{20}(?![0-9A-Za-z_-])/ },
  { kind: 'npm token', re: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  { kind: 'PyPI token', re: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}/ },
  { kind: 'Stripe secret key', re: /(?<![A-Za-z0-9])sk_live_[0-9A-Za-z]{24,99}/ },
];
const COMBINED = new RegExp(PATTERNS.map((p) => `(?:${p.re.source})`).join('|'), 'g');
const CHUNK = 1024 * 1024;
// Longer than the longest match, so a secret split across two chunks is still seen whole.
const OVERLAP = 512;
const MAX_FINDINGS = 50;

/**
 * Reads every regular file of the inputs (directories recursively, symlinks not followed: the
 * input check has already refused links out of an input) and returns the obvious secrets found.
 * Memory is one chunk per file; time is linear in the bytes read.
 */
export async function checkSensitiveInputs(
  inputs: readonly SandboxInput[],
): Promise<SensitiveCheck> {
  const findings: SensitiveFinding[] = [];
  let files = 0;
  let bytes = 0;
  const detector = new PrivacyDetector();
  for (const file of listFiles(inputs)) {
    files += 1;
    bytes += await scanFile(file, findings);
    if (findings.length >= MAX_FINDINGS) break;
    await privacyFindings(file, detector, findings);
    if (findings.length >= MAX_FINDINGS) break;
  }
  return { findings, files, bytes };
}

/**
 * `scan --privacy` over a data file (by its name; other files, model weights among them, only
 * get the byte scan): every hit of medium or high confidence that is not a published example
 * value (AKIAIOSFODNN7EXAMPLE, test cards, example.com) counts. Low-confidence hits (a bare
 * nine-digit number that could be an SSN) do not refuse an input on their own.
 */
async function privacyFindings(
  path: string,
  detector: PrivacyDetector,
  findings: SensitiveFinding[],
): Promise<void> {
  const format = privacyFormatOf(path);
  if (format === undefined) return;
  const scan = await scanPrivacyFile(path, path, format, makeLimits(), detector);
  for (const h of scan.hits) {
    if (h.example || h.confidence === 'low') continue;
    findings.push({
      path,
      ...(h.byteOffset === undefined ? {} : { offset: h.byteOffset }),
      ...(h.line === undefined ? {} : { line: h.line }),
      ...(h.record === undefined ? {} : { record: h.record }),
      ...(h.column === undefined ? {} : { column: h.column }),
      kind: `privacy/${h.entity}`,
    });
    if (findings.length >= MAX_FINDINGS) return;
  }
}

/** Where a finding is, for a message: `byte 12`, `line 3`, `record 2, column email`. */
export function findingPlace(f: SensitiveFinding): string {
  const parts: string[] = [];
  if (f.line !== undefined) parts.push(`line ${f.line}`);
  if (f.record !== undefined) parts.push(`record ${f.record}`);
  if (f.column !== undefined) parts.push(`column ${f.column}`);
  if (f.offset !== undefined) parts.push(`byte ${f.offset}`);
  return parts.join(', ');
}

function* listFiles(inputs: readonly SandboxInput[]): Generator<string> {
  for (const input of inputs) {
    if (input.kind === 'file') {
      yield input.real;
      continue;
    }
    const stack = [input.real];
    for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        const st = lstatSync(path);
        if (st.isDirectory()) stack.push(path);
        else if (st.isFile()) yield path;
      }
    }
  }
}

async function scanFile(path: string, findings: SensitiveFinding[]): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK + OVERLAP);
    let carry = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carry, CHUNK, position);
      if (bytesRead === 0) break;
      const length = carry + bytesRead;
      // latin1 maps each byte to one code unit, so match indexes are byte offsets.
      const text = buffer.toString('latin1', 0, length);
      const base = position - carry;
      for (const m of text.matchAll(COMBINED)) {
        // A match wholly inside the carried-over prefix was already seen in the previous chunk.
        if (m.index + m[0].length <= carry && position > 0) continue;
        if (findings.some((f) => f.path === path && f.offset === base + m.index)) continue;
        const kind = PATTERNS.find((p) => p.re.test(m[0]))?.kind ?? 'secret';
        findings.push({ path, offset: base + m.index, kind });
        if (findings.length >= MAX_FINDINGS) return position + bytesRead;
      }
      position += bytesRead;
      carry = Math.min(OVERLAP, length);
      buffer.copy(buffer, 0, length - carry, length);
    }
    return position;
  } finally {
    await handle.close();
  }
}
