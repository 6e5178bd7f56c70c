import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scanPaths } from '../../src/engine/scan.js';
import type { ScanReport } from '../../src/engine/result.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { renderText } from '../../src/reporters/text.js';
import { ruleDescriptors } from '../../src/cli/rule-descriptors.js';
import { assertGolden } from '../helpers/golden.js';
import { githubSarifProblems } from '../helpers/github-sarif.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

// The README quick start scans examples/: every shipped example gets the verdict its manifest
// (written by test/fixtures/make/examples.py) promises, and the three renderings are pinned.
const manifest = JSON.parse(readFileSync('examples/manifest.json', 'utf8')) as Record<
  string,
  string
>;

/** Replaces what changes from run to run or release to release. */
function stable(report: ScanReport): ScanReport {
  return {
    ...report,
    tool: { ...report.tool, version: '0.0.0-golden' },
    summary: { ...report.summary, durationMs: 0 },
  };
}

describe('examples/', () => {
  it('gets the verdict its manifest promises for every example', async () => {
    const report = await scanPaths(['examples/']);
    const got = Object.fromEntries(
      report.files
        .filter((f) => f.verdict !== null)
        .map((f) => [f.path.replace(/^examples\//, ''), f.verdict]),
    );
    assert.deepEqual(got, manifest);
    assert.deepEqual(report.summary.internalErrors, []);
  });

  it('renders as the golden text, JSON and SARIF', async () => {
    const report = stable(await scanPaths(['examples/']));
    assertGolden('examples.txt', renderText(report, { color: false, verbose: true }));
    assertGolden('examples.json', renderJson(report));
    // The rule pages are pinned by their own files, not by this golden: a placeholder stands in.
    const rules = ruleDescriptors().map((r) => ({ ...r, helpMarkdown: `(${r.docs})` }));
    const sarif = renderSarif(report, rules);
    assert.deepEqual(sarifErrors(JSON.parse(sarif)), []);
    assert.deepEqual(githubSarifProblems(JSON.parse(sarif)), []);
    assertGolden('examples.sarif', sarif);
  });
});
