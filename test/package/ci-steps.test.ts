import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { parse } from 'yaml';

// One CI recipe: the GitHub workflow runs .ci/run and nothing else, .ci/run runs every gate the
// README lists, and every Debian package .ci/run installs is named in the README (a fresh machine
// installs what the README names).

const ciRun = readFileSync('.ci/run', 'utf8');
const readme = readFileSync('README.md', 'utf8');

it('has the GitHub workflow run .ci/run as its only build step', () => {
  const workflow = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as {
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  const runs = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run.trim()])),
  );
  assert.ok(runs.includes('bash .ci/run'), runs.join('\n---\n'));
  // The only other step checks out the commit; none runs npm on its own.
  assert.deepEqual(
    runs.filter((r) => /\bnpm\b|\bnode\b/.test(r)),
    [],
  );
});

it('runs every gate in .ci/run', () => {
  for (const gate of [
    'npm ci',
    'npm run lint',
    'npm run typecheck',
    'npm run format:check',
    'npm test',
  ]) {
    assert.match(ciRun, new RegExp(`^${gate}\\b`, 'm'), gate);
  }
});

it('names in the README every Debian package .ci/run installs', () => {
  const packages = [...ciRun.matchAll(/need\+=\(([\w.+-]+)\)/g)].map((m) => m[1] ?? '');
  assert.ok(packages.length >= 8, packages.join(' '));
  const missing = packages.filter((p) => !readme.includes(`\`${p}\``));
  assert.deepEqual(missing, []);
});

it('installs and names the servers the service tests start (redis-server, postgresql)', () => {
  for (const p of ['redis-server', 'postgresql']) {
    assert.match(ciRun, new RegExp(`need\\+=\\(${p}\\)`), p);
    assert.ok(readme.includes(`\`${p}\``), p);
  }
});
