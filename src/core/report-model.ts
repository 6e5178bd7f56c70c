// The report shapes, in one place. The reporters (which may import only core) render any
// ReportInput: a scan's report, the repository audit's, the probe's endpoints as findings. The
// engine's ScanReport (engine/result.ts) extends these shapes and narrows what a scan always sets.
import type { Finding, Verdict } from './finding.js';
import type { HubFileOrigin, HubScanInfo } from './hub-origin.js';

/** What one container member turned out to be. */
export interface MemberResult {
  /** Member chain inside the top-level file, joined with '!/' ('archive/data.pkl', 'a.zip!/b.pkl'). */
  readonly member: string;
  readonly format: string;
  readonly verdict: Verdict;
}

/** What `scan --privacy` found in one file, per column and entity (values masked). */
export interface PrivacySummary {
  /** How the file was read: text, json, jsonl, csv, tsv, parquet, safetensors, gguf. */
  readonly format: string;
  /** Values searched (lines, fields, cells, metadata values). */
  readonly values: number;
  /** Every hit; findings list at most the first 1000 of them. */
  readonly hits: number;
  readonly columns: readonly {
    readonly column: string;
    readonly entity: string;
    readonly count: number;
    readonly examples: number;
    readonly sample: string;
  }[];
}

/** One file of a report: the scan result of one file given or found. */
export interface ReportFile {
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
  /** Other paths that reach the same file (links inside the scanned tree); scanned once. */
  readonly aliases?: readonly string[];
  /**
   * For a file of a Hugging Face repository (`hf://` or the local cache): which repository,
   * the commit and the path inside it, and how its bytes were read.
   */
  readonly hub?: HubFileOrigin;
  /** SHA-256 of the file's bytes, when the scan knows it (Hub files: from LFS or computed). */
  readonly sha256?: string;
  /** The privacy scan of a data file (`scan --privacy`): counts per column, masked samples. */
  readonly privacy?: PrivacySummary;
  /** For signature files checked by `--require-signature`: the model and who signed it. */
  readonly provenance?: {
    readonly model: string;
    readonly status: 'valid' | 'missing' | 'invalid';
    readonly signer?: string;
  };
}

/** Which configuration a scan used, which it refused to read, and what its settings removed. */
export interface ConfigUse {
  /** The config file read (as given or found), or null for none. */
  readonly path: string | null;
  /** Config files inside scanned folders, not read: the scanned content cannot configure its scan. */
  readonly ignoredConfigs: readonly string[];
  /** Entries (files or whole folders) the exclude globs (config and --exclude) left out. */
  readonly excluded: number;
  /** Findings suppressed by the config's `ignore` section (kept in the report, marked). */
  readonly ignored: number;
}

/** The totals of a report. */
export interface ReportSummary {
  readonly files: number;
  readonly safe: number;
  readonly suspicious: number;
  readonly malicious: number;
  readonly invalid: number;
  /** Audited files without a verdict (workflows). */
  readonly audited: number;
  /** Unsuppressed findings by severity. */
  readonly findings: Readonly<Record<string, number>>;
  readonly suppressed: number;
  /** Paths named or found that were not scanned (each an entry with a model/unscanned finding). */
  readonly unscanned?: number;
  /** Files found in directories but not scanned (not a recognised format), as paths. */
  readonly skipped: readonly string[];
  /** Paths that could not be read or followed, with the reason (and its kind, in a scan). */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
  /** Internal errors (bugs) caught per rule or handler. */
  readonly internalErrors: readonly string[];
  readonly durationMs: number;
  /** The configuration used and what it removed from the scan. */
  readonly config?: ConfigUse;
}

/** A torch version requirement a scanned repository declares. */
export interface TorchDeclaration {
  readonly spec: string;
  readonly uri: string;
  readonly line: number;
}

/** What the reporters render (text, JSON, SARIF, CycloneDX). */
export interface ReportInput {
  readonly version: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly files: readonly ReportFile[];
  /** The torch version the scanned repositories declare (when code files were audited). */
  readonly torch?: {
    readonly status: string;
    readonly declarations: readonly TorchDeclaration[];
  };
  /** What a scan of the Hugging Face Hub or its cache read. */
  readonly hub?: HubScanInfo;
  readonly summary: ReportSummary;
}
