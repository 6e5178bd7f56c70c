import { decodeUtf8 } from '../../core/byte-reader.js';
import { FormatError } from '../../core/errors.js';
import { parseKerasConfig, parseKerasMetadata } from '../../formats/keras/index.js';
import type { UnitContext } from '../unit.js';

/**
 * True when a zip's member names make it a Keras 3 `.keras` archive: `config.json` and
 * `metadata.json` at the root (keras `saving_lib`). The zip handler asks this, then calls
 * `scanKerasArchiveConfig` and still scans every member (model.weights.h5 …) as usual.
 */
export function isKerasArchive(memberNames: readonly string[]): boolean {
  return memberNames.includes('config.json') && memberNames.includes('metadata.json');
}

/**
 * Checks the `config.json` (and `metadata.json`) of a `.keras` archive with the `keras` rules and
 * names the unit's format `keras`. A config that cannot be decoded is `keras/malformed-input`.
 * Never throws for bad input.
 */
export function scanKerasArchiveConfig(
  ctx: UnitContext,
  configJson: Uint8Array,
  metadataJson: Uint8Array | undefined,
): void {
  const limits = ctx.options.limits;
  ctx.setFormat('keras');
  try {
    const version =
      metadataJson === undefined
        ? undefined
        : parseKerasMetadata(decodeUtf8(metadataJson, 0), limits);
    ctx.check('keras', parseKerasConfig(decodeUtf8(configJson, 0), 'keras-zip', version, limits));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('keras', error);
  }
}
