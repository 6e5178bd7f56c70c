import type { Finding, Verdict } from '../core/finding.js';

/** What one container member turned out to be. */
export interface MemberResult {
  /** Member chain inside the top-level file, joined with '!/' ('archive/data.pkl', 'a.zip!/b.pkl'). */
  readonly member: string;
  readonly format: string;
  readonly verdict: Verdict;
}

/** The scan result of one file given or found. */
export interface FileResult {
  /** The path as the user named it (relative stays relative), '/'-separated. */
  readonly path: string;
  /** Detected format of the file itself ('torch-zip', 'pickle', 'workflow' …). */
  readonly format: string;
  /** Model-artifact verdict; null for audited text files (workflows) that carry no verdict. */
  readonly verdict: Verdict | null;
  /** Sorted findings, suppressed ones included (marked). */
  readonly findings: readonly Finding[];
  /** Nested members that were scanned, in scan order. */
  readonly members: readonly MemberResult[];
  /** Source text for text inputs, so reporters can show excerpts and line numbers. */
  readonly text?: string;
  /** File size in bytes. */
  readonly size: number;
  /** For signature files checked by `--require-signature`: the model and who signed it. */
  readonly provenance?: {
    readonly model: string;
    readonly status: 'valid' | 'missing' | 'invalid';
    readonly signer?: string;
  };
}

export interface ScanSummary {
  readonly files: number;
  readonly safe: number;
  readonly suspicious: number;
  readonly malicious: number;
  readonly invalid: number;
  /** Audited files without a verdict (workflows). */
  readonly audited: number;
  /** Unsuppressed findings by severity. */
  readonly findings: Readonly<Record<'info' | 'low' | 'medium' | 'high' | 'critical', number>>;
  readonly suppressed: number;
  /** Files found in directories but not scanned (not a recognised format), as paths. */
  readonly skipped: readonly string[];
  /** Paths that could not be read, with the reason. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
  /** Internal errors (bugs) caught per rule or handler. */
  readonly internalErrors: readonly string[];
  readonly durationMs: number;
}

export interface ScanReport {
  readonly version: 1;
  readonly tool: { readonly name: 'torchward'; readonly version: string };
  readonly files: readonly FileResult[];
  /** The torch version the scanned repositories declare (present when code files were audited). */
  readonly torch?: {
    readonly status: 'unknown' | 'may-be-older' | 'at-least-2.6' | 'older';
    readonly declarations: readonly {
      readonly spec: string;
      readonly uri: string;
      readonly line: number;
    }[];
  };
  readonly summary: ScanSummary;
}
