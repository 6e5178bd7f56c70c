import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { auditWorkflowFiles } from '../../src/engine/workflow-audit.js';

test("the project's own CI workflow passes the audit", async () => {
  const path = '.github/workflows/ci.yml';
  const [result] = await auditWorkflowFiles([{ path, uri: path }], {
    limits: DEFAULT_LIMITS,
    config: {},
    repoRoot: '.',
  });
  assert.ok(result);
  assert.deepEqual(
    result.findings
      .filter((f) => f.suppressed === undefined)
      .map((f) => `${f.ruleId}: ${f.message}`),
    [],
  );
});
