import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { contextFor, mayRun, resultValues } from '../../src/workflows/conditions.js';
import { parseWorkflow } from '../../src/workflows/model.js';
import { classifyLabels, runnerConfidence } from '../../src/rules/ci/judge/runners.js';
import { EMPTY_INVENTORY } from '../../src/workflows/audit-input.js';

const wf = (on: string) =>
  parseWorkflow(`on:\n${on}\njobs:\n  a:\n    runs-on: x\n`, 'w.yml', 'workflow', DEFAULT_LIMITS);

describe('trigger contexts and mayRun', () => {
  const pr = contextFor(wf('  pull_request:'), 'pull_request');
  const tags = contextFor(wf('  push:\n    tags: ["v*"]'), 'push');
  const branches = contextFor(wf('  push:\n    branches: [main]'), 'push');
  const ciflow = contextFor(wf('  push:\n    tags: ["ciflow/trunk/*"]'), 'push');

  it('decides event names and ref kinds per trigger', () => {
    const tagOnly = "${{ github.event_name == 'push' && startsWith(github.ref, 'refs/tags/') }}";
    assert.equal(mayRun(tagOnly, pr), false);
    assert.equal(mayRun(tagOnly, branches), false);
    assert.equal(mayRun(tagOnly, tags), true);
    assert.equal(mayRun("github.ref_type == 'tag'", pr), false);
    assert.equal(mayRun("github.ref == 'refs/heads/main'", pr), false);
    assert.equal(mayRun("github.ref == 'refs/heads/main'", branches), true);
    assert.equal(mayRun("github.event_name != 'pull_request'", pr), false);
    assert.equal(mayRun("contains(github.ref, 'refs/tags')", branches), false);
  });

  it('uses literal tag filters: ciflow/* tags are not v* release tags', () => {
    assert.equal(mayRun("startsWith(github.ref, 'refs/tags/v')", ciflow), false);
    assert.equal(mayRun("startsWith(github.ref, 'refs/tags/v')", tags), true);
  });

  it('treats undecidable and mixed conditions as may-run', () => {
    assert.equal(mayRun("github.repository == 'pytorch/pytorch'", pr), true);
    assert.equal(mayRun('${{ success() }} && true', pr), true);
    assert.equal(mayRun("needs.a.outputs.x == 'y' || always()", pr), true);
    assert.equal(mayRun("'(((((((('", pr), true);
    assert.equal(mayRun(`${'('.repeat(500)}true${')'.repeat(500)}`, pr), true);
    assert.equal(mayRun(undefined, pr), true);
  });

  it('knows the pull_request payload is absent from other events', () => {
    const cond = "github.event.pull_request.head.repo.full_name == 'pytorch/pytorch'";
    assert.equal(mayRun(cond, branches), false);
    assert.equal(mayRun(cond, pr), true);
  });

  it('reads the whole expression syntax of the template-injection parser', () => {
    // One parser (expression-ast.ts): an index by a string literal is the same path as a dot, and
    // a field of a call's value is unknown without spoiling the rest of the condition.
    assert.equal(mayRun("github['event_name'] == 'push'", pr), false);
    assert.equal(mayRun("github.event['pull_request'].head.repo.fork", branches), false);
    const gated = "github.event_name == 'push' && fromJSON(inputs.matrix).include[0].x != ''";
    assert.equal(mayRun(gated, pr), false);
    assert.equal(mayRun(gated, branches), true);
    assert.equal(mayRun(`${'!'.repeat(100)}true`, pr), true);
  });
});

describe('resultValues', () => {
  it('gives the results of a ternary, not the literals it compares', () => {
    assert.deepEqual(resultValues("matrix.os == 'linux' && 'img:1' || ''"), ['img:1', '']);
    assert.deepEqual(resultValues("inputs.x && 'a' || 'b'"), ['a', 'b']);
    assert.equal(resultValues('inputs.image || matrix.image'), undefined);
    assert.equal(resultValues("fromJSON(inputs.x).image || 'a'"), undefined);
  });
});

describe('runner classes added in issue 21', () => {
  const kind = (labels: string[]): string => {
    const c = classifyLabels(labels, EMPTY_INVENTORY);
    return `${c.kind}/${c.reason}/${runnerConfidence(c)}`;
  };
  it('recognises larger runners, ARC scale sets and groups', () => {
    assert.equal(kind(['ubuntu-22.04-8core']), 'github-hosted/larger-runner/medium');
    assert.equal(kind(['linux.20_04.4x']), 'github-hosted/larger-runner/medium');
    assert.equal(kind(['arc-runner-set']), 'ephemeral/arc/medium');
    assert.equal(kind(['gha-runner-scale-set-gpu']), 'ephemeral/arc/medium');
    assert.equal(kind(['group:aws-g4dn-2xlarge']), 'persistent/group/low');
    assert.equal(kind(['linux.mystery']), 'persistent/unknown-label/low');
    assert.equal(kind(['self-hosted', 'linux']), 'persistent/self-hosted/medium');
  });
});
