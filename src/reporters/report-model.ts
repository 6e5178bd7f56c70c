// The shapes reporters read. They mirror src/engine/result.ts structurally, so reporters import
// only core (the layering rule) while the engine's results are passed straight in.
import type { Finding, Verdict } from '../core/finding.js';
import type { HubFileOrigin, HubScanInfo } from '../core/hub-origin.js';

export interface ReportFile {
  readonly path: string;
  readonly format: string;
  readonly verdict: Verdict | null;
  readonly findings: readonly Finding[];
  readonly members: readonly {
    readonly member: string;
    readonly format: string;
    readonly verdict: Verdict;
  }[];
  readonly text?: string;
  readonly size: number;
  readonly aliases?: readonly string[];
  /** A Hugging Face repository file: repository, commit, path in it and how it was read. */
  readonly hub?: HubFileOrigin;
  readonly sha256?: string;
  /** `scan --privacy`: per column and entity, a count and a masked sample. */
  readonly privacy?: {
    readonly format: string;
    readonly values: number;
    readonly hits: number;
    readonly columns: readonly {
      readonly column: string;
      readonly entity: string;
      readonly count: number;
      readonly examples: number;
      readonly sample: string;
    }[];
  };
  readonly provenance?: {
    readonly model: string;
    readonly status: 'valid' | 'missing' | 'invalid';
    readonly signer?: string;
  };
}

export interface ReportInput {
  readonly version: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly files: readonly ReportFile[];
  /** The torch version the scanned repositories declare (when code files were audited). */
  readonly torch?: {
    readonly status: string;
    readonly declarations: readonly {
      readonly spec: string;
      readonly uri: string;
      readonly line: number;
    }[];
  };
  /** What a scan of the Hugging Face Hub or its cache read. */
  readonly hub?: HubScanInfo;
  readonly summary: {
    readonly files: number;
    readonly safe: number;
    readonly suspicious: number;
    readonly malicious: number;
    readonly invalid: number;
    readonly audited: number;
    readonly findings: Readonly<Record<string, number>>;
    readonly suppressed: number;
    readonly unscanned?: number;
    readonly skipped: readonly string[];
    readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
    readonly internalErrors: readonly string[];
    readonly durationMs: number;
    readonly config?: {
      readonly path: string | null;
      readonly ignoredConfigs: readonly string[];
      readonly excluded: number;
      readonly ignored: number;
    };
  };
}

/** The member chain of a finding's uri inside `file` ('' for the file itself). */
export function memberOf(filePath: string, uri: string): string {
  const prefix = `${filePath}!/`;
  return uri.startsWith(prefix) ? uri.slice(prefix.length) : '';
}
