/**
 * Action inputs that the action evaluates as code or passes to a shell, so a `${{ }}` expanded
 * into them is code injection just like one in `run:`.
 *
 * Facts, not code: the action/input pairs come from each action's documented inputs, cross-checked
 * against the public list zizmor ships (zizmorcore/zizmor, crates/zizmor/data/
 * codeql-injection-sinks.json and the extra entries of crates/zizmor/src/audit/template_injection.rs
 * at 11bbf7e6, 2026-08-22, MIT), with a few widely used shell-running actions added. Keys are
 * lower-cased `owner/repo[/path]`; inputs keep the spelling the action documents.
 */
export const CODE_SINK_INPUTS_AS_OF = '2026-12-07';

export const CODE_SINK_INPUTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['8398a7/action-slack', ['custom_payload']],
  ['actions/github-script', ['script']],
  ['addnab/docker-run-action', ['options', 'run']],
  ['amadevus/pwsh-script', ['script']],
  ['appleboy/ssh-action', ['script']],
  ['azure/cli', ['inlineScript']],
  ['azure/powershell', ['inlineScript']],
  ['cardinalby/js-eval-action', ['expression']],
  ['devorbitus/yq-action-output', ['cmd']],
  ['gautamkrishnar/blog-post-workflow', ['item_exec']],
  [
    'imjohnbo/issue-bot',
    ['body', 'linked-comments-previous-issue-text', 'linked-comments-new-issue-text'],
  ],
  ['jannekem/run-python-script-action', ['script']],
  ['lucasbento/auto-close-issues', ['issue-close-message']],
  ['matlab-actions/run-command', ['command']],
  ['mikefarah/yq', ['cmd']],
  ['nick-fields/retry', ['command']],
  ['roots/issue-closer-action', ['issue-close-message', 'pr-close-message']],
  ['sergeysova/jq-action', ['cmd']],
  ['skitionek/notify-microsoft-teams', ['overwrite']],
  ['tibdex/backport', ['body_template', 'head_template', 'labels_template', 'title_template']],
  ['uraimo/run-on-arch-action', ['run']],
  ['wandalen/wretry.action', ['command']],
]);

/**
 * Inputs of a `docker://image` step that reach the container's command line: `args` (split into
 * the entrypoint's arguments; `sh -c` entrypoints run them as shell) and `entrypoint`.
 */
export const DOCKER_STEP_CODE_INPUTS: readonly string[] = ['args', 'entrypoint'];
