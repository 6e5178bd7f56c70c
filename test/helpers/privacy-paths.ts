import { makeLimits } from '../../src/core/limits.js';
import { PrivacyDetector } from '../../src/privacy/detect.js';
import { scanPrivacyFile, type PrivacyFileScan } from '../../src/privacy/scan-file.js';

/**
 * Scans one JSONL file twice: the shipped path (fast record reading, search hints) and the
 * reference (every value handed to the detector, every rule searched from the start).
 */
export async function scanShippedAndReference(
  path: string,
): Promise<{ fast: PrivacyFileScan; slow: PrivacyFileScan }> {
  const fast = await scanPrivacyFile(path, path, 'jsonl', makeLimits(), new PrivacyDetector());
  const slow = await scanPrivacyFile(
    path,
    path,
    'jsonl',
    makeLimits(),
    new PrivacyDetector({ searchHints: false }),
    { fast: false },
  );
  return { fast, slow };
}
