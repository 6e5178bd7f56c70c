import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { renderSarif } from '../../src/cli/render-sarif.js';
import {
  describeRules,
  githubRepositoryUrl,
  ruleDescriptors,
} from '../../src/cli/rule-descriptors.js';
import type { ReportFile, ReportInput } from '../../src/reporters/report-model.js';
import { renderSarif as renderSarifLog } from '../../src/reporters/sarif.js';
import { ALL_RULES } from '../../src/rules/registry.js';
import { githubSarifProblems } from '../helpers/github-sarif.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

// SARIF that GitHub code scanning takes as is, rendered from a report alone: one finding of every
// registered rule, in a top-level binary, inside an archive member, and in a text file.

function finding(ruleId: string, uri: string, unit: 'byte' | 'char', start: number): Finding {
  return {
    ruleId,
    messageId: 'm',
    message: `${ruleId} fired`,
    severity: 'high',
    confidence: 'medium',
    primary: { uri, unit, span: { start, end: start + 3 }, path: unit === 'char' ? ['on'] : [] },
    related: [{ uri, unit, span: { start, end: start + 1 }, path: [], label: 'here' }],
  };
}

function reportOf(files: ReportFile[]): ReportInput {
  return {
    version: 1,
    tool: { name: 'torchward', version: '0.0.0-test' },
    files,
    summary: {
      files: files.length,
      safe: 0,
      suspicious: 0,
      malicious: 0,
      invalid: 0,
      audited: 0,
      findings: {},
      suppressed: 0,
      skipped: [],
      unreadable: [],
      internalErrors: [],
      durationMs: 0,
    },
  };
}

const text = 'on: push\njobs: {}\n';
const everyRule = reportOf([
  {
    path: 'models/top.bin',
    format: 'pickle',
    verdict: 'malicious',
    findings: ALL_RULES.map((r, i) => finding(r.id, 'models/top.bin', 'byte', i)),
    members: [],
    size: 5000,
  },
  {
    path: 'models/a b.pt',
    format: 'torch-zip',
    verdict: 'malicious',
    findings: ALL_RULES.map((r, i) => finding(r.id, 'models/a b.pt!/archive/data.pkl', 'byte', i)),
    members: [{ member: 'archive/data.pkl', format: 'pickle', verdict: 'malicious' }],
    size: 5000,
  },
  {
    path: '.github/workflows/ci.yml',
    format: 'workflow',
    verdict: null,
    findings: ALL_RULES.map((r) => finding(r.id, '.github/workflows/ci.yml', 'char', 9)),
    members: [],
    text,
    size: text.length,
  },
]);

describe('SARIF for GitHub code scanning', () => {
  const log = JSON.parse(renderSarif(everyRule)) as {
    runs: {
      tool: { driver: { rules: { id: string; help: { markdown: string }; helpUri?: string }[] } };
      results: { locations: { physicalLocation: { region: object } }[] }[];
    }[];
  };
  const run = log.runs[0];
  assert.ok(run);

  it('validates against the SARIF 2.1.0 schema and GitHub requirements', () => {
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(githubSarifProblems(log), []);
    assert.equal(run.results.length, ALL_RULES.length * 3);
  });

  it('knows every registered rule from the report alone, with its page as help', () => {
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      ALL_RULES.map((r) => r.id).sort(),
    );
    for (const rule of run.tool.driver.rules) {
      const page = readFileSync(`docs/rules/${rule.id}.md`, 'utf8');
      assert.equal(rule.help.markdown, page, rule.id);
      // package.json names no repository: no page address is made up.
      assert.equal(rule.helpUri, undefined, rule.id);
    }
  });

  it('gives binaries line 1 with the byte offset, members as logical locations', () => {
    const [top, member, workflow] = [0, ALL_RULES.length, 2 * ALL_RULES.length].map((i) =>
      JSON.stringify(run.results[i]?.locations[0]),
    );
    assert.match(top ?? '', /"region":\{"startLine":1,"byteOffset":0,"byteLength":3\}/);
    assert.match(member ?? '', /"uri":"models\/a%20b\.pt"/);
    assert.match(member ?? '', /"fullyQualifiedName":"archive\/data\.pkl","kind":"member"/);
    assert.match(workflow ?? '', /"startLine":2,"startColumn":1,"endLine":2,"endColumn":4/);
  });

  it('writes absolute paths relative to the scan root, or to the file-system root', () => {
    const report = reportOf([
      { ...everyRule.files[0], path: '/work/repo/models/x.bin' } as ReportFile,
      { ...everyRule.files[0], path: '/elsewhere/y.bin' } as ReportFile,
    ]);
    const out = JSON.parse(renderSarifLog(report, ruleDescriptors(), { srcRoot: '/work/repo' }));
    assert.deepEqual(githubSarifProblems(out), []);
    assert.deepEqual(
      out.runs[0].artifacts.map((a: { location: object }) => a.location),
      [
        { uri: 'models/x.bin', uriBaseId: '%SRCROOT%' },
        { uri: 'elsewhere/y.bin', uriBaseId: 'FSROOT' },
      ],
    );
    assert.deepEqual(out.runs[0].originalUriBaseIds.FSROOT, { uri: 'file:///' });
  });

  it('links rule pages only when package.json names a GitHub repository', () => {
    const rule = ALL_RULES[0];
    assert.ok(rule);
    const readDoc = (path: string): string | undefined => (path === rule.docs ? 'page' : undefined);
    const [linked] = describeRules([rule], {
      readDoc,
      repository: 'git+https://github.com/acme/torchward.git',
    });
    assert.equal(linked?.helpUri, `https://github.com/acme/torchward/blob/HEAD/${rule.docs}`);
    const [unlinked] = describeRules([rule], { readDoc });
    assert.equal(unlinked?.helpUri, undefined);
    // A page that does not exist gets no link, even with a repository.
    const [missing] = describeRules([rule], {
      readDoc: () => undefined,
      repository: 'acme/torchward',
    });
    assert.equal(missing?.helpUri, undefined);
    assert.equal(missing?.helpMarkdown, undefined);
    for (const [spec, url] of [
      ['github:acme/tw', 'https://github.com/acme/tw'],
      ['acme/tw', 'https://github.com/acme/tw'],
      ['https://github.com/acme/tw', 'https://github.com/acme/tw'],
      ['git@github.com:acme/tw.git', 'https://github.com/acme/tw'],
      ['https://gitlab.com/acme/tw', undefined],
    ] as const) {
      assert.equal(githubRepositoryUrl(spec), url, spec);
    }
  });

  it('finds what GitHub would refuse (the checker is live)', () => {
    const bad = JSON.parse(JSON.stringify(log)) as {
      runs: { results: { locations: { physicalLocation: Record<string, unknown> }[] }[] }[];
    };
    const loc = bad.runs[0]?.results[0]?.locations[0]?.physicalLocation;
    assert.ok(loc);
    loc.region = { byteOffset: 3 };
    loc.artifactLocation = { uri: 'file:///abs/x.bin' };
    assert.deepEqual(githubSarifProblems(bad), [
      'runs[0].results[0].locations[0]: artifactLocation.uri file:///abs/x.bin is not relative',
      'runs[0].results[0].locations[0]: artifactLocation.uriBaseId missing',
      'runs[0].results[0].locations[0]: region.startLine missing',
    ]);
  });
});
