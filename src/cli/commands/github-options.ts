import type { GitHubClient } from '../../github/client.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';

// A variable name, so `--token-env` cannot be turned into something else.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * The API client for `--api-url` and `--token-env` (shared by `repo audit` and `merge-check`).
 * The token is read from the environment only and never printed; without one the client is
 * anonymous (public data only) and says so on stderr.
 */
export async function githubClient(
  values: { readonly 'api-url'?: string | undefined; readonly 'token-env'?: string | undefined },
  io: CliIo,
): Promise<GitHubClient> {
  const { GitHubClient, checkApiUrl } = await import('../../github/client.js');
  let baseUrl: string;
  try {
    baseUrl = checkApiUrl(values['api-url'] ?? io.env.GITHUB_API_URL ?? 'https://api.github.com');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tokenEnv = values['token-env'] ?? 'GITHUB_TOKEN';
  if (!ENV_NAME.test(tokenEnv))
    throw new UsageError('--token-env must name an environment variable');
  const token = io.env[tokenEnv];
  if (values['token-env'] !== undefined && (token === undefined || token === '')) {
    throw new UsageError(`--token-env ${tokenEnv}: the variable is not set`);
  }
  if (token === undefined || token === '') {
    io.stderr.write(
      `torchward: no token in $${tokenEnv}; reading anonymously (settings endpoints will be unreadable)\n`,
    );
  }
  return new GitHubClient({
    baseUrl,
    token,
    log: (line) => io.stderr.write(`torchward: ${line}\n`),
  });
}
