import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Compares `actual` with test/golden/<name>; with UPDATE_GOLDEN=1 rewrites the file instead.
 * Review golden diffs like code.
 */
export function assertGolden(name: string, actual: string): void {
  const file = join('test', 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  else
    assert.equal(
      actual,
      readFileSync(file, 'utf8'),
      `golden mismatch: ${name} (UPDATE_GOLDEN=1 to accept)`,
    );
}
