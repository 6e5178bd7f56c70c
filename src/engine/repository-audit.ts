import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sortFindings, type Finding } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { makeFinding } from '../rules/define-rule.js';
import type { RepositoryFile } from '../rules/repository/input.js';
import { loadRulesFor } from '../rules/families.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { isAuditedRepositoryFile as isAudited, TEMPLATE_EXTENSION } from './repository-files.js';
import { parseConfigText } from './repository-parse.js';

// A located YAML document costs about 170 bytes of memory per character of input; configs that
// matter (config.json, tokenizer_config.json, Hydra YAML) are kilobytes.
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Audits a model repository folder as a whole (as downloaded from a hub): `auto_map` configs that
 * need trust_remote_code, Hydra `_target_` values outside the usual model packages, chat templates
 * (tokenizer_config.json, chat_template.jinja) that escape the Jinja sandbox, and Python files
 * shipped beside the weights. `files` are the repository's files relative to `root`
 * ('/'-separated); only `.json`, `.yaml`, `.yml`, `.jinja` (at most `limits.maxTextBytes` each,
 * sizes checked before reading) and `.py` (listed, never read) are considered, at most
 * `limits.maxEntries` of them. Returns findings by uri (`uriOf(rel)`), each list sorted as
 * reporters expect. Never throws for bad input: unreadable or unparsable configs become
 * `repository/malformed-input` findings. A rule that throws is a bug, never a finding: it is
 * added to `internalErrors` (`<uri>: rule <id>: <message>`, as in a scan's
 * `summary.internalErrors`); without that list the call throws an Error naming the rule and file.
 */
export async function auditModelRepository(
  root: string,
  files: readonly string[],
  uriOf: (rel: string) => string,
  limits: Limits,
  internalErrors?: string[],
): Promise<Map<string, Finding[]>> {
  const out = new Map<string, Finding[]>();
  const sorted = [...files].sort();
  const audited = sorted.filter(isAudited).slice(0, limits.maxEntries);
  const rules = await loadRulesFor('repository');
  const failures: RuleFailure[] = [];
  const malformed = rules.find((r) => r.id === 'repository/malformed-input');
  const add = (uri: string, found: readonly Finding[]): void => {
    if (found.length === 0) return;
    out.set(uri, sortFindings([...(out.get(uri) ?? []), ...found]));
  };
  for (const rel of audited) {
    const uri = uriOf(rel);
    const bad = (code: string, detail: string, start = 0): void => {
      if (malformed === undefined) return;
      add(uri, [
        makeFinding(
          malformed,
          { uri, unit: 'char' },
          { messageId: 'malformed', data: { code, detail }, at: { span: { start, end: start } } },
        ),
      ]);
    };
    let document: RepositoryFile['document'];
    let templateText: string | undefined;
    if (!rel.endsWith('.py')) {
      let text: string;
      try {
        const info = await stat(join(root, rel));
        const max = Math.min(limits.maxTextBytes, MAX_CONFIG_BYTES);
        if (info.size > max) {
          bad('LIMIT_EXCEEDED', `${info.size} bytes exceeds the ${max}-byte limit for configs`);
          continue;
        }
        text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(join(root, rel)));
      } catch (error) {
        bad(
          error instanceof TypeError ? 'BAD_UTF8' : 'TRUNCATED',
          error instanceof Error ? error.message : String(error),
        );
        continue;
      }
      if (rel.endsWith(TEMPLATE_EXTENSION)) templateText = text;
      if (templateText === undefined) {
        const parsed = parseConfigText(text, rel);
        if ('code' in parsed) {
          bad(parsed.code, parsed.message, parsed.pos[0]);
          continue;
        }
        document = parsed;
      }
    }
    const input: RepositoryFile = { rel, files: sorted, document, text: templateText };
    add(uri, runRules('repository', rules, input, { uri, unit: 'char', options: {} }, failures));
  }
  const failed = failures.map(describeRuleFailure);
  if (internalErrors !== undefined) internalErrors.push(...failed);
  else if (failed.length > 0) throw new Error(`internal error: ${failed.join('; ')}`);
  return out;
}
