import { readAll, type ByteSource } from '../../core/byte-source.js';
import { isAuditedRepositoryFile } from '../repository-files.js';
import type { UnitContext } from '../unit.js';

// Configs that matter (model_config.yaml, config.json, tokenizer_config.json) are kilobytes; the
// folder audit reads at most this much per config too.
const MAX_MEMBER_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * True when an archive member named `name` is a config or chat template the repository rules
 * judge (Python files are only listed by the folder audit, so not here).
 */
export function isRepositoryMember(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.length > 0 && !base.endsWith('.py') && isAuditedRepositoryFile(name);
}

/**
 * Judges a config or chat template inside an archive with the repository rules, as the folder
 * audit judges one on disk: NeMo's `.nemo` is a tar whose `model_config.yaml` Hydra
 * instantiates on restore (CVE-2025-23304), and a zipped model repository carries its
 * `tokenizer_config.json` and `chat_template.jinja`. `members` are the archive's member names.
 * Text that is too large, not UTF-8 or does not parse is left alone: no loader instantiates it.
 */
export async function scanRepositoryMember(
  ctx: UnitContext,
  name: string,
  source: ByteSource,
  members: readonly string[],
): Promise<void> {
  if (source.size > Math.min(MAX_MEMBER_CONFIG_BYTES, ctx.options.limits.maxTextBytes)) return;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source));
  } catch {
    return;
  }
  // The YAML parser and the repository rules load only when an archive holds a config.
  const { repositoryMemberInput } = await import('../repository-parse.js');
  const input = repositoryMemberInput(name, members, text);
  if (input === undefined) return;
  await ctx.scanWith(name, name.endsWith('.jinja') ? 'chat-template' : 'config', async (mctx) => {
    await mctx.check('repository', input);
  });
}
