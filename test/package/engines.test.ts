import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import semver from 'semver';

// package.json's `engines` is what a user's npm checks against; it must not promise a Node.js
// version that one of the runtime dependencies refuses (npm prints EBADENGINE for that). The
// development tree (eslint, typescript …) may ask for more: that range is `devEngines`.

interface LockEntry {
  readonly dev?: boolean;
  readonly engines?: { readonly node?: string } | readonly string[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string } };
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockEntry>;
};

function nodeRange(entry: LockEntry): string | undefined {
  // Some old packages give `engines` as an array of strings; npm ignores those.
  return Array.isArray(entry.engines) ? undefined : (entry.engines as { node?: string }).node;
}

it('promises no Node.js version a runtime dependency refuses', () => {
  const bad: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.engines === undefined) continue;
    const range = nodeRange(entry);
    if (range !== undefined && !semver.subset(pkg.engines.node, range)) {
      bad.push(`${path}: ${range}`);
    }
  }
  assert.deepEqual(bad, [], `engines.node is ${pkg.engines.node}`);
});

it('develops on a Node.js version every dependency accepts', () => {
  assert.equal(pkg.devEngines.runtime.name, 'node');
  assert.ok(semver.subset(pkg.devEngines.runtime.version, pkg.engines.node));
  const bad: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.engines === undefined) continue;
    const range = nodeRange(entry);
    if (range !== undefined && !semver.subset(pkg.devEngines.runtime.version, range)) {
      bad.push(`${path}: ${range}`);
    }
  }
  assert.deepEqual(bad, [], `devEngines.runtime.version is ${pkg.devEngines.runtime.version}`);
});

it('runs the tests on a Node.js version the development tree accepts', () => {
  assert.ok(
    semver.satisfies(process.versions.node, pkg.devEngines.runtime.version),
    `Node.js ${process.versions.node} is outside ${pkg.devEngines.runtime.version}`,
  );
});
