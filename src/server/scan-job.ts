import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Verdict } from '../core/finding.js';
import type { Location } from '../core/finding.js';
import type { ScanReport } from '../engine/result.js';
import { scanPaths, worstVerdict } from '../engine/scan.js';
import { renderJson } from '../reporters/json.js';
import type { RuleDescriptor } from '../core/rule-descriptor.js';
import { renderSarif } from '../cli/render-sarif.js';
import { ruleDescriptors } from '../cli/rule-descriptors.js';
import type { ContentStore } from './store.js';

// The rules and their pages, read once per process: every SARIF log lists them.
let described: RuleDescriptor[] | undefined;
function rules(): RuleDescriptor[] {
  described ??= ruleDescriptors();
  return described;
}

/** A finished scan as the service keeps it: the CLI's JSON report and SARIF, byte for byte. */
export interface ScanResult {
  readonly id: string;
  readonly verdict: Verdict;
  /** `torchward scan --format json` of the artifact (named by its SHA-256). */
  readonly json: string;
  readonly sarif: string;
  readonly finishedAt: string;
}

/** Options of one scan job. */
export interface JobOptions {
  /** Time one artifact may take (the engine's per-file limit); past it the file is not safe. */
  readonly timeoutMs: number;
  /**
   * Artifacts larger than this are scanned on a worker thread, which is terminated if it overruns
   * the limit; smaller ones on the calling thread, where the decoders' own limits and deadline
   * checks bound the work (a thread costs more to start than such a scan takes). Default 1 MiB.
   */
  readonly threadAboveBytes?: number;
}

/**
 * Scans the stored artifact `id` with the CLI's engine and renders the CLI's reports. The
 * artifact is named by its id in the report (the store has no names: one content, one scan).
 */
export async function scanStored(
  store: ContentStore,
  id: string,
  options: JobOptions,
): Promise<ScanResult> {
  const path = store.objectPath(id);
  // A missing object (a store not shared with this worker) must fail the job, not report a
  // harmless "unreadable" as the artifact's result.
  if (!(await store.has(id)))
    throw new Error(`artifact ${id} is not in the store at ${store.root}`);
  const report = await scanPaths([path], {
    cwd: dirname(path),
    threads: (await stat(path)).size > (options.threadAboveBytes ?? 2 ** 20) ? 1 : 0,
    limits: { maxMillisPerFile: options.timeoutMs },
  });
  const named = renamed(report, path, id);
  const file = named.files[0];
  if (file === undefined || file.format === 'unscanned' || report.summary.unreadable.length > 0) {
    throw new Error(`artifact ${id} could not be read from the store at ${store.root}`);
  }
  return {
    id,
    verdict: worstVerdict(named.files),
    json: renderJson(named, { includeTiming: false }),
    sarif: renderSarif(named, rules()),
    finishedAt: new Date().toISOString(),
  };
}

/**
 * The report with the store path of the artifact replaced by its id, in file paths and finding
 * locations alike (member locations are `path!member`): the report names the content, not where
 * this machine keeps it.
 */
function renamed(report: ScanReport, from: string, to: string): ScanReport {
  const swap = (uri: string): string => (uri.startsWith(from) ? to + uri.slice(from.length) : uri);
  const loc = (l: Location): Location => ({ ...l, uri: swap(l.uri) });
  return {
    ...report,
    files: report.files.map((f) => ({
      ...f,
      path: swap(f.path),
      findings: f.findings.map((x) => ({
        ...x,
        primary: loc(x.primary),
        related: x.related.map(loc),
      })),
    })),
  };
}
