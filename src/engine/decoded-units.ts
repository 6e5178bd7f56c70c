// Its own module (not unit.ts) so that the public scan options (ScanOptions.keepDecoded) do not
// pull the rule-input types, and with them the Python parser's web-tree-sitter types, into a
// library user's type check.
import type { PickleDecodeResult } from '../formats/pickle/records.js';
import type { TorchLegacyScan } from '../formats/pickle/torch-legacy.js';
import type { NpyHeader } from '../formats/npy/index.js';
import type { TarArchive, TorchTarScan } from '../formats/tar/index.js';
import type { ZipArchive } from '../formats/zip/index.js';

/**
 * What the scan of one top-level file decoded, kept for a caller that reads the file next (the
 * loader behind `convert` and `inspect`), so each container and pickle is decoded once.
 * Filled only when the caller passes one in (ScanOptions.keepDecoded); the scan's judgement is the
 * same either way. Pickles kept here are decoded whole (no retainItems cap): the loader needs
 * every item, and the rules see the same globals, calls and persistent ids.
 */
export interface DecodedUnits {
  /** The top-level zip's central directory, when the file is a zip. */
  zip?: ZipArchive;
  /** Data pickles of the top-level zip by member name, decoded from their whole bytes. */
  readonly pickles: Map<string, PickleDecodeResult>;
  /** The top-level raw pickle (not legacy, not joblib-compressed), decoded whole. */
  pickle?: PickleDecodeResult;
  /** The top-level legacy torch stream: its five pickles (never capped) and storage sizes. */
  legacy?: TorchLegacyScan;
  /**
   * The top-level legacy torch tar: its member listing, the side members' pickles (never capped)
   * and the `pickle` member decoded whole (offsets relative to the member).
   */
  tar?: TorchTarDecode;
  /** The top-level .npy file's header. */
  npy?: NpyHeader;
  /** Headers of the top-level zip's `.npy` members (an .npz archive), by member name. */
  readonly npyMembers?: Map<string, NpyHeader>;
}

/** What the scan decoded of a legacy torch tar (see DecodedUnits.tar). */
export interface TorchTarDecode {
  readonly archive: TarArchive;
  readonly side: TorchTarScan;
  /** Absent when the scan did not decode the `pickle` member (over maxInputBytes). */
  pickle?: PickleDecodeResult;
}
