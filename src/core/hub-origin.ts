// Where Hub-scanned files came from, part of the one report model (core/report-model.ts) that the
// engine's results and the reporters share.

/** Where a scanned file came from on the Hugging Face Hub or in its local cache. */
export interface HubFileOrigin {
  readonly repo: string;
  readonly type: 'model' | 'dataset' | 'space';
  /** The commit (40 hex) the file was read at. */
  readonly revision: string;
  /** The path inside the repository. */
  readonly file: string;
  /**
   * `whole`: every byte downloaded and checked against the Hub's hash; `ranged`: only the ranges
   * the format needs (headers, directories) were read; `cache`: read from the local cache.
   */
  readonly read: 'whole' | 'ranged' | 'cache';
}

/** What a scan of a Hugging Face repository (or the local cache) read. */
export interface HubScanInfo {
  /** The reference as given (`hf://OWNER/NAME@main`), or the cache folder. */
  readonly source: string;
  /** Repositories scanned: id, kind, the revision asked for and the commit it resolved to. */
  readonly repos: readonly {
    readonly repo: string;
    readonly type: 'model' | 'dataset' | 'space';
    readonly revision: string;
    readonly commit: string;
    /** Branches and tags of the cache (refs/) that name this commit. */
    readonly refs?: readonly string[];
  }[];
  /** Bytes received over the network (remote scans). */
  readonly bytesReceived?: number;
  /**
   * README.md and config.json texts of the repositories (by report path), for the ML-BOM's model
   * cards; not part of the JSON report.
   */
  readonly texts?: Readonly<Record<string, string>>;
}
