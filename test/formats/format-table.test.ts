import assert from 'node:assert/strict';
import { it } from 'node:test';
import { HANDLERS } from '../../src/engine/handlers/index.js';
import { FORMAT_TABLE } from '../../src/formats/format-table.js';

// One format table (issue 13): the engine's handlers are exactly the formats it marks scanned, and
// the loader opens only formats the engine scans (it reads a file after the scan called it safe).
// The loader's own record is typed from the same table (src/loader/open-checkpoint.ts).
it('the engine handles exactly the scanned formats; every loaded format is scanned', () => {
  const scanned = Object.entries(FORMAT_TABLE)
    .filter(([, f]) => f.scan)
    .map(([id]) => id)
    .sort();
  assert.deepEqual(Object.keys(HANDLERS).sort(), scanned);
  const loaded = Object.entries(FORMAT_TABLE).filter(([, f]) => f.load);
  assert.deepEqual(loaded.map(([id]) => id).sort(), ['npy', 'pickle', 'safetensors', 'tar', 'zip']);
  for (const [id, f] of loaded) assert.ok(f.scan, `${id} is loaded but never scanned`);
});
