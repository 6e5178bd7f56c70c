import type { Severity } from '../core/finding.js';
import type {
  ConfigUse,
  ReportFile,
  ReportInput,
  ReportSummary,
  TorchDeclaration,
} from '../core/report-model.js';

// The scan's report is the one report model of core/report-model.ts, narrowed to what a scan
// always sets (its tool name, every summary field, the torch status values).
export type { HubFileOrigin, HubScanInfo } from '../core/hub-origin.js';
export type { ConfigUse, MemberResult, PrivacySummary } from '../core/report-model.js';

/** The scan result of one file given or found. */
export type FileResult = ReportFile;

export interface ScanSummary extends ReportSummary {
  /** Unsuppressed findings by severity. */
  readonly findings: Readonly<Record<Severity, number>>;
  /** Paths named or found that were not scanned (each an entry with a model/unscanned finding). */
  readonly unscanned: number;
  /** Paths that could not be read or followed, with the reason and its kind. */
  readonly unreadable: readonly {
    readonly path: string;
    readonly reason: string;
    readonly kind: string;
  }[];
  /** The configuration used and what it removed from the scan. */
  readonly config: ConfigUse;
}

export interface ScanReport extends ReportInput {
  readonly tool: { readonly name: 'torchward'; readonly version: string };
  readonly files: readonly FileResult[];
  /** The torch version the scanned repositories declare (present when code files were audited). */
  readonly torch?: {
    readonly status: 'unknown' | 'may-be-older' | 'at-least-2.6' | 'older';
    readonly declarations: readonly TorchDeclaration[];
  };
  readonly summary: ScanSummary;
}
