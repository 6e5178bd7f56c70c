import type { PickleDecodeResult } from '../../formats/pickle/records.js';

/**
 * The contract between container handlers (torch zip, legacy tar, npy, joblib) and the pickle
 * scanner in ./pickle.ts. Containers describe where a pickle sits; the pickle scanner decodes it
 * with the symbolic VM and runs the pickle rules with that context.
 */
export type PickleFlavour =
  /** A bare pickle file or member: no persistent_load exists, so any persistent id is refused. */
  | 'raw'
  /** `<archive>/data.pkl` of a torch zip checkpoint: storages live in `<archive>/data/<key>`. */
  | 'torch-zip'
  /** The legacy torch stream (magic, protocol, sys_info, main pickle, key list, raw storages). */
  | 'torch-legacy'
  /** The `pickle` member of a legacy torch tar checkpoint. */
  | 'torch-tar'
  /** The pickled payload of an object-dtype .npy array (np.load(allow_pickle=True)). */
  | 'npy-object';

export interface PickleScanContext {
  readonly flavour: PickleFlavour;
  /**
   * Storage keys present in the container and their byte sizes; persistent ids must name one of
   * them with a byte size that fits (torch-zip, torch-tar). Undefined when not applicable.
   */
  readonly storages?: ReadonlyMap<string, number>;
  /**
   * Set by a container whose caller keeps the decode for the loader (DecodedUnits): the pickle
   * is then decoded whole (no retainItems cap) and handed here once judged.
   */
  readonly keep?: (decoded: PickleDecodeResult) => void;
}
