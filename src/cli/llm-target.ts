import { UsageError } from './io.js';

/** The endpoint an LLM command talks to (`--target URL` or `--target-command CMD`). */
export type LlmTargetChoice =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'command'; readonly argv: string[]; readonly command: string };

/**
 * Reads `--target` and `--target-command` (redteam, memorization): exactly one of them; a URL
 * must parse and be http or https; a command is split on spaces and never given to a shell.
 * Throws UsageError (exit 2) otherwise.
 */
export function parseLlmTarget(values: {
  readonly target?: string | undefined;
  readonly 'target-command'?: string | undefined;
}): LlmTargetChoice {
  const url = values.target;
  const command = values['target-command'];
  if ((url === undefined) === (command === undefined)) {
    throw new UsageError('give exactly one of --target URL or --target-command CMD');
  }
  if (url !== undefined) return { kind: 'url', url: checkHttpUrl(url, '--target') };
  const text = command ?? '';
  return { kind: 'command', argv: text.split(/\s+/).filter((s) => s !== ''), command: text };
}

/** `value` when it is an http or https URL; UsageError naming `flag` otherwise. */
export function checkHttpUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} is not a URL: '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag} must be http or https`);
  return value;
}

/**
 * The `--target` URL as reports and logs show it: no user, password, query or fragment (keys
 * hide there). Throws UsageError for a value that is not an http(s) URL.
 */
export function publicUrl(value: string): string {
  const url = new URL(checkHttpUrl(value, '--target'));
  return `${url.origin}${url.pathname}`;
}
