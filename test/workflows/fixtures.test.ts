import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { LineIndex } from '../../src/core/line-index.js';
import { auditWorkflowFiles } from '../../src/engine/workflow-audit.js';

const FIXTURES = join('test', 'fixtures', 'workflows');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (name.endsWith('.yml') || name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

/**
 * Expected findings as "line rule-id" strings: `# finding: a, b` on a comment-only line applies to
 * the next non-comment line; as a trailing comment, to its own line.
 */
function expectedFindings(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let pending: string[] = [];
  lines.forEach((line, index) => {
    const match = /#\s*finding:(.*)$/.exec(line);
    const rules = match?.[1]?.split(',').map((r) => r.trim()) ?? [];
    const commentOnly = line.trim().startsWith('#');
    if (commentOnly) {
      pending.push(...rules);
      return;
    }
    for (const rule of [...pending, ...rules]) out.push(`${index + 1} ${rule}`);
    pending = [];
  });
  return out.sort();
}

async function audit(path: string) {
  const [result] = await auditWorkflowFiles([{ path, uri: path }], {
    limits: DEFAULT_LIMITS,
    config: {},
  });
  assert.ok(result);
  const index = new LineIndex(result.text);
  return {
    text: result.text,
    findings: result.findings
      .filter((f) => f.suppressed === undefined)
      .map((f) => `${index.position(f.primary.span.start).line} ${f.ruleId}`)
      .sort(),
  };
}

describe('incident regressions', () => {
  for (const path of yamlFiles(join(FIXTURES, 'incidents'))) {
    it(path, async () => {
      const { text, findings } = await audit(path);
      assert.deepEqual(findings, expectedFindings(text));
    });
  }
});

describe('compliant workflows stay silent', () => {
  for (const path of yamlFiles(join(FIXTURES, 'ok'))) {
    it(path, async () => {
      assert.deepEqual((await audit(path)).findings, []);
    });
  }
});
