import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import type { RuleDescriptor } from '../../src/core/rule-descriptor.js';
import { renderJson } from '../../src/reporters/json.js';
import type { ReportInput } from '../../src/reporters/report-model.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { renderText } from '../../src/reporters/text.js';
import { githubSarifProblems } from '../helpers/github-sarif.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

const byteFinding: Finding = {
  ruleId: 'pickle/unsafe-global',
  messageId: 'gadget',
  message: 'posix.system runs a shell command',
  severity: 'critical',
  confidence: 'high',
  verdict: 'malicious',
  primary: {
    uri: 'm/model.pt!/archive/data.pkl',
    unit: 'byte',
    span: { start: 57, end: 72 },
    path: [],
  },
  related: [],
};

const workflow =
  'on: pull_request_target\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n';
const charFinding: Finding = {
  ruleId: 'ci/unpinned-action',
  messageId: 'unpinned',
  message: '`actions/checkout@v4` can change under you',
  severity: 'high',
  confidence: 'high',
  primary: {
    uri: '.github/workflows/ci.yml',
    unit: 'char',
    span: { start: workflow.indexOf('actions/'), end: workflow.indexOf('@v4') + 3 },
    path: ['jobs', 'a', 'steps', 0, 'uses'],
  },
  related: [],
};
const suppressed: Finding = { ...charFinding, suppressed: 'inline', suppressionReason: 'vendored' };

const report: ReportInput = {
  version: 1,
  tool: { name: 'torchward', version: '0.0.0-test' },
  files: [
    {
      path: 'm/model.pt',
      format: 'torch-zip',
      verdict: 'malicious',
      findings: [byteFinding],
      members: [{ member: 'archive/data.pkl', format: 'pickle', verdict: 'malicious' }],
      size: 1000,
    },
    {
      path: '.github/workflows/ci.yml',
      format: 'workflow',
      verdict: null,
      findings: [charFinding, suppressed],
      members: [],
      text: workflow,
      size: workflow.length,
    },
    {
      path: 'ok.safetensors',
      format: 'safetensors',
      verdict: 'safe',
      findings: [],
      members: [],
      size: 40,
    },
  ],
  summary: {
    files: 3,
    safe: 1,
    suspicious: 0,
    malicious: 1,
    invalid: 0,
    audited: 1,
    findings: { info: 0, low: 0, medium: 0, high: 1, critical: 1 },
    suppressed: 1,
    skipped: ['README.md'],
    unreadable: [],
    internalErrors: [],
    durationMs: 5,
  },
};

const rules: RuleDescriptor[] = [
  {
    id: 'pickle/unsafe-global',
    title: 'Gadget',
    severity: 'critical',
    confidence: 'high',
    policy: 'CWE-502',
    docs: 'docs/rules/pickle/unsafe-global.md',
  },
  {
    id: 'ci/unpinned-action',
    title: 'Unpinned',
    severity: 'high',
    confidence: 'high',
    policy: 'CWE-829',
    docs: 'docs/rules/ci/unpinned-action.md',
  },
];

describe('JSON reporter', () => {
  it('renders the versioned document with members, offsets and line/column locations', () => {
    const doc = JSON.parse(renderJson(report));
    assert.equal(doc.version, 1);
    assert.equal(doc.files.length, 3);
    assert.deepEqual(doc.files[0].findings[0].location, {
      member: 'archive/data.pkl',
      offset: 57,
      length: 15,
    });
    assert.equal(doc.files[0].findings[0].verdict, 'malicious');
    assert.deepEqual(doc.files[1].findings[0].location, {
      line: 5,
      column: 15,
      endLine: 5,
      endColumn: 34,
      path: ['jobs', 'a', 'steps', 0, 'uses'],
    });
    assert.equal(doc.files[1].verdict, null);
    assert.equal(doc.files[1].findings[1].suppressed, 'inline');
    assert.equal(doc.summary.malicious, 1);
  });

  it('is deterministic', () => {
    assert.equal(renderJson(report), renderJson(report));
  });
});

describe('SARIF reporter', () => {
  it('produces a log that validates against the official SARIF 2.1.0 schema', () => {
    const log = JSON.parse(renderSarif(report, rules));
    assert.deepEqual(sarifErrors(log), []);
  });

  it('maps severities to levels, keeps suppressions and regions', () => {
    const log = JSON.parse(renderSarif(report, rules));
    const run = log.runs[0];
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string }) => r.id),
      ['ci/unpinned-action', 'pickle/unsafe-global'],
    );
    assert.equal(run.tool.driver.rules[1].properties['security-severity'], '9.5');
    const [pickle, ci, ciSuppressed] = run.results;
    assert.equal(pickle.level, 'error');
    // The offset is inside the member, not the file: line 1 in the file, the offset beside it.
    assert.deepEqual(pickle.locations[0].physicalLocation, {
      artifactLocation: { uri: 'm/model.pt', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
    assert.deepEqual(pickle.locations[0].properties, {
      member: 'archive/data.pkl',
      byteOffset: 57,
      byteLength: 15,
    });
    assert.equal(pickle.locations[0].logicalLocations[0].fullyQualifiedName, 'archive/data.pkl');
    assert.equal(ci.locations[0].physicalLocation.region.startLine, 5);
    assert.equal(ci.properties.confidence, 'high');
    assert.deepEqual(ciSuppressed.suppressions, [{ kind: 'inSource', justification: 'vendored' }]);
  });

  it('meets GitHub code scanning requirements', () => {
    assert.deepEqual(githubSarifProblems(JSON.parse(renderSarif(report, rules))), []);
  });

  it('fails validation for a broken log (the validator is live)', () => {
    assert.notDeepEqual(sarifErrors({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), []);
  });
});

describe('text reporter', () => {
  it('shows verdicts, locations and a source excerpt, without colour codes when asked', () => {
    const text = renderText(report, { color: false });
    assert.match(text, /^malicious\s+m\/model\.pt \(torch-zip\)$/m);
    assert.match(text, /at archive\/data\.pkl @57/);
    assert.match(text, /at \.github\/workflows\/ci\.yml:5:15/);
    assert.match(text, / {4}5 \|\s+- uses: actions\/checkout@v4/);
    assert.match(text, /\^{19}/);
    assert.match(text, /^safe\s+ok\.safetensors/m);
    assert.doesNotMatch(text, /\u001b\[/);
  });

  it('uses ANSI colour only when enabled', () => {
    assert.match(renderText(report, { color: true }), /\u001b\[31m/);
  });
});
