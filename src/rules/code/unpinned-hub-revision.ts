import { defineRule } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import { argument, callPath, lastPart, type CodeAuditInput } from './input.js';

const DOWNLOADS = new Set([
  'hf_hub_download',
  'snapshot_download',
  'load_dataset',
  'from_pretrained',
]);
// `datasets.load_dataset` builders that read local files, not a Hub repository.
const LOCAL_BUILDERS = new Set([
  'json',
  'csv',
  'parquet',
  'text',
  'arrow',
  'pandas',
  'sql',
  'generator',
  'imagefolder',
  'audiofolder',
  'videofolder',
  'webdataset',
  'xml',
]);
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96}$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

/** The methods this rule reports on (the audit skips parsing files that cannot call one). */
export const pythonNeeds: PythonNeeds = { methods: DOWNLOADS };

/**
 * Hugging Face downloads (`from_pretrained`, `hf_hub_download`, `snapshot_download`,
 * `load_dataset`) of a Hub repository id without `revision=` set to a full 40-hex commit: the
 * files (and any remote code) can change under the same name.
 */
export default defineRule<CodeAuditInput, 'unpinned' | 'mutableRevision'>({
  id: 'code/unpinned-hub-revision',
  title: 'Hugging Face download not pinned to a commit',
  target: 'code',
  severity: 'medium',
  confidence: 'medium',
  policy: 'pytorch SECURITY.md: check provenance or checksums; Bandit B615',
  messages: {
    unpinned:
      '`{{call}}` downloads "{{repo}}" at whatever the main branch holds now; pass revision= with a full 40-character commit',
    mutableRevision:
      '`{{call}}` pins "{{repo}}" to revision "{{revision}}", which can move; use a full 40-character commit',
  },
  check(ctx, input) {
    const model = input.python;
    if (model === undefined) return;
    for (const call of model.calls) {
      const method = lastPart(call.name);
      if (!DOWNLOADS.has(method)) continue;
      // Only as functions of the Hub libraries, or as any class's `from_pretrained`.
      if (
        method !== 'from_pretrained' &&
        call.name !== method &&
        !/^(?:huggingface_hub|datasets)\./.test(call.name ?? '')
      )
        continue;
      const repo = argument(
        call,
        method === 'load_dataset'
          ? 'path'
          : method === 'from_pretrained'
            ? 'pretrained_model_name_or_path'
            : 'repo_id',
        0,
      );
      if (typeof repo?.value !== 'string') continue;
      const id = repo.value;
      if (method === 'load_dataset' && LOCAL_BUILDERS.has(id)) continue;
      if (!HUB_ID.test(id) || id.startsWith('.')) continue;
      if (call.keywords.get('local_files_only')?.value === true) continue;
      const revision = call.keywords.get('revision');
      if (revision === undefined) {
        if (call.starKwargs) continue;
        ctx.report({
          messageId: 'unpinned',
          data: { call: call.name ?? method, repo: id },
          at: { span: repo.span, path: callPath(call) },
        });
      } else if (typeof revision.value === 'string' && !FULL_SHA.test(revision.value)) {
        ctx.report({
          messageId: 'mutableRevision',
          data: { call: call.name ?? method, repo: id, revision: revision.value },
          at: { span: revision.span, path: callPath(call) },
        });
      }
    }
  },
});
