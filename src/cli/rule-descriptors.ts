import { readFileSync } from 'node:fs';
import type { RuleDescriptor } from '../core/rule-descriptor.js';
import { packageInfo } from '../engine/version.js';
import type { Rule } from '../rules/define-rule.js';
import { ALL_RULES } from '../rules/registry.js';

/** Where rule pages can be read and linked. */
export interface RuleDocsSource {
  /** Reads a package-relative documentation file; undefined when it does not exist. */
  readonly readDoc: (path: string) => string | undefined;
  /** package.json `repository` (the web page of each rule is derived from it). */
  readonly repository?: string;
}

/**
 * The web address of a repository given as package.json `repository`, when it is on GitHub
 * (`github:o/r`, `o/r`, `https://github.com/o/r(.git)`, `git+https://…`, `git@github.com:o/r`);
 * undefined for anything else, since only there is the layout of a file's page known.
 */
export function githubRepositoryUrl(repository: string): string | undefined {
  const m =
    /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(repository) ??
    /^(?:git\+)?(?:https?|git|ssh):\/\/(?:git@)?github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(
      repository,
    ) ??
    /^git@github\.com:([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(repository);
  if (m === null) return undefined;
  return `https://github.com/${m[1] ?? ''}/${m[2] ?? ''}`;
}

/**
 * Rules as reporters see them, with each rule's page as help Markdown and, when package.json
 * names a GitHub repository, a link to that page (only for pages that exist).
 */
export function describeRules(rules: readonly Rule[], source: RuleDocsSource): RuleDescriptor[] {
  const repo = source.repository === undefined ? undefined : githubRepositoryUrl(source.repository);
  return rules.map((r) => {
    const markdown = source.readDoc(r.docs);
    return {
      id: r.id,
      title: r.title,
      severity: r.severity,
      confidence: r.confidence,
      policy: r.policy,
      docs: r.docs,
      ...(markdown === undefined ? {} : { helpMarkdown: markdown }),
      ...(markdown === undefined || repo === undefined
        ? {}
        : { helpUri: `${repo}/blob/HEAD/${r.docs}` }),
    };
  });
}

/** Every registered rule, with its page read from the installed package (docs/rules/). */
export function ruleDescriptors(): RuleDescriptor[] {
  const pkg = packageInfo();
  return describeRules(ALL_RULES, {
    readDoc: (path) => {
      if (pkg === undefined) return undefined;
      try {
        return readFileSync(new URL(path, pkg.root), 'utf8');
      } catch {
        return undefined;
      }
    },
    ...(pkg?.repository === undefined ? {} : { repository: pkg.repository }),
  });
}

/** The tool's home page for SARIF `informationUri`: package.json homepage, else its repository. */
export function informationUri(): string | undefined {
  const pkg = packageInfo();
  if (pkg === undefined) return undefined;
  if (pkg.homepage !== undefined) return pkg.homepage;
  return pkg.repository === undefined ? undefined : githubRepositoryUrl(pkg.repository);
}
