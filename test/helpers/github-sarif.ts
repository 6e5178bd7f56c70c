// What GitHub code scanning requires of an uploaded SARIF file beyond the SARIF 2.1.0 schema, from
// GitHub's "SARIF support for code scanning" page (docs.github.com, code-security/reference/
// code-scanning/sarif-files/sarif-support) and the GH10xx rules of Microsoft's SARIF multitool,
// which checks the same list:
// - version 2.1.0; at most 20 runs; a `tool.driver.name`; at most 25,000 rules and results per run;
// - each rule: an `id`, a `shortDescription.text`, at most 20 `properties.tags`, and a
//   `security-severity` that is a number from 0.0 to 10.0 when given; `helpUri` an absolute URL;
// - each result: a `ruleId` of a rule of the run (and `ruleIndex` pointing at it), a
//   `message.text`, 1 to 1,000 `locations`, and each location (related ones too) a
//   `physicalLocation` whose `artifactLocation.uri` is relative (no scheme, no leading '/') with a
//   `uriBaseId` declared in `originalUriBaseIds`, and a `region.startLine` (an integer ≥ 1);
// - `partialFingerprints` on each result, so alerts survive re-runs (GitHub fills them in only
//   through its upload action, not through the API).
// This project asks one thing more: `help.markdown` for every rule.

type Json = Readonly<Record<string, unknown>>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? (v as unknown[]) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Problems GitHub code scanning would have with `log` (empty when it would accept it). */
export function githubSarifProblems(log: unknown): string[] {
  const problems: string[] = [];
  const root = obj(log);
  if (root?.version !== '2.1.0') problems.push('version is not 2.1.0');
  const runs = arr(root?.runs);
  if (runs === undefined) return [...problems, 'runs missing'];
  if (runs.length > 20) problems.push(`${runs.length} runs (at most 20)`);
  runs.forEach((runValue, r) => {
    const run = obj(runValue) ?? {};
    const driver = obj(obj(run.tool)?.driver) ?? {};
    if (str(driver.name) === undefined || driver.name === '') {
      problems.push(`runs[${r}]: tool.driver.name missing`);
    }
    const rules = arr(driver.rules) ?? [];
    if (rules.length > 25_000) problems.push(`runs[${r}]: ${rules.length} rules`);
    const ruleIds = rules.map((v, i) => {
      const rule = obj(v) ?? {};
      const at = `runs[${r}].rules[${i}]`;
      const id = str(rule.id);
      if (id === undefined || id === '') problems.push(`${at}: id missing`);
      if (str(obj(rule.shortDescription)?.text) === undefined) {
        problems.push(`${at}: shortDescription.text missing`);
      }
      const help = obj(rule.help);
      if (str(help?.text) === undefined) problems.push(`${at}: help.text missing`);
      const markdown = str(help?.markdown);
      if (markdown === undefined || markdown.trim() === '') {
        problems.push(`${at}: help.markdown missing`);
      }
      const helpUri = rule.helpUri;
      if (helpUri !== undefined && !/^https:\/\/[^/\s]+\/\S*$/.test(str(helpUri) ?? '')) {
        problems.push(`${at}: helpUri ${JSON.stringify(helpUri)} is not an absolute https URL`);
      }
      const props = obj(rule.properties) ?? {};
      const tags = arr(props.tags) ?? [];
      if (tags.length > 20) problems.push(`${at}: ${tags.length} tags (at most 20)`);
      const sev = props['security-severity'];
      if (sev !== undefined) {
        const n = Number(str(sev) ?? NaN);
        if (!(n >= 0 && n <= 10)) problems.push(`${at}: security-severity ${JSON.stringify(sev)}`);
      }
      return id;
    });
    const bases = new Set(Object.keys(obj(run.originalUriBaseIds) ?? {}));
    const results = arr(run.results) ?? [];
    if (results.length > 25_000) problems.push(`runs[${r}]: ${results.length} results`);
    results.forEach((v, i) => {
      const result = obj(v) ?? {};
      const at = `runs[${r}].results[${i}]`;
      const ruleId = str(result.ruleId);
      if (ruleId === undefined || !ruleIds.includes(ruleId)) {
        problems.push(`${at}: ruleId ${String(ruleId)} is not a rule of the run`);
      } else if (result.ruleIndex !== undefined && ruleIds[Number(result.ruleIndex)] !== ruleId) {
        problems.push(`${at}: ruleIndex ${JSON.stringify(result.ruleIndex)} is not ${ruleId}`);
      }
      const text = str(obj(result.message)?.text);
      if (text === undefined || text === '') problems.push(`${at}: message.text missing`);
      if (obj(result.partialFingerprints) === undefined) {
        problems.push(`${at}: partialFingerprints missing`);
      }
      const locations = arr(result.locations) ?? [];
      if (locations.length === 0 || locations.length > 1000) {
        problems.push(`${at}: ${locations.length} locations (1 to 1000)`);
      }
      const related = arr(result.relatedLocations) ?? [];
      if (related.length > 1000) problems.push(`${at}: ${related.length} related locations`);
      [
        ...locations.map((l, k) => [`locations[${k}]`, l] as const),
        ...related.map((l, k) => [`relatedLocations[${k}]`, l] as const),
      ].forEach(([name, l]) => {
        problems.push(...locationProblems(`${at}.${name}`, l, bases));
      });
    });
  });
  return problems;
}

function locationProblems(at: string, value: unknown, bases: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const physical = obj(obj(value)?.physicalLocation);
  if (physical === undefined) return [`${at}: physicalLocation missing`];
  const artifact = obj(physical.artifactLocation) ?? {};
  const uri = str(artifact.uri);
  if (uri === undefined || uri === '') problems.push(`${at}: artifactLocation.uri missing`);
  else if (/^[a-z][\w+.-]*:/i.test(uri) || uri.startsWith('/')) {
    problems.push(`${at}: artifactLocation.uri ${uri} is not relative`);
  }
  const base = str(artifact.uriBaseId);
  if (base === undefined) problems.push(`${at}: artifactLocation.uriBaseId missing`);
  else if (!bases.has(base)) problems.push(`${at}: uriBaseId ${base} not in originalUriBaseIds`);
  const line = obj(physical.region)?.startLine;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) {
    problems.push(`${at}: region.startLine missing`);
  }
  return problems;
}
