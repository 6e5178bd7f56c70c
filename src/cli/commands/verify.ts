import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { ProvenanceError } from '../../provenance/errors.js';
import { findSignature } from '../../provenance/policy.js';
import { verifyModel } from '../../provenance/verify.js';
import { checkIgnorePaths } from '../args.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const HELP = `Usage: torchward verify MODEL [--signature SIG] TRUST [options]

Verifies an OpenSSF Model Signing (OMS) signature offline, then recomputes every digest with the
recorded serialization; any changed, missing or new (unignored) file fails.

TRUST is one of:
  --public-key FILE            the signer's EC public key (PEM)
  --certificate-chain FILE     trusted root/intermediate certificates (PEM, repeatable)
  --identity ID --identity-provider ISSUER [--trust-config FILE]
                               a keyless Sigstore signature; FILE is a trusted_root.json (or a
                               ClientTrustConfig) and is required offline

Options:
  --signature FILE             default: MODEL/model.sig, or MODEL.sig / model.sig beside a file
  --ignore-paths PATH          also ignore a relative path (repeatable)
  --no-ignore-git-paths        do not ignore .git, .gitattributes, .github, .gitignore
  --ignore-unsigned-files      allow files the signature does not list
  -f, --format text|json       output format (default text)
  -o, --output FILE            write the report to FILE
  -h, --help                   show this help

Exit codes: 0 verified, 1 verification failed, 2 usage error, 3 no readable input.
`;

/** `torchward verify`: checks an OMS signature with a key, a certificate chain or an identity. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify an OpenSSF Model Signing (OMS) signature offline (key, PKI or Sigstore)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        signature: { type: 'string' },
        'public-key': { type: 'string' },
        'certificate-chain': { type: 'string', multiple: true },
        identity: { type: 'string' },
        'identity-provider': { type: 'string' },
        'trust-config': { type: 'string' },
        'ignore-paths': { type: 'string', multiple: true },
        'no-ignore-git-paths': { type: 'boolean', default: false },
        'ignore-unsigned-files': { type: 'boolean', default: false },
        format: { type: 'string', short: 'f', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const ignorePaths = checkIgnorePaths(values['ignore-paths']);
    if (positionals.length !== 1) throw new UsageError('expected exactly one MODEL');
    const format = checkFormat(values.format, ['text', 'json']);
    const keyless = values.identity !== undefined || values['identity-provider'] !== undefined;
    const modes = [
      values['public-key'] !== undefined,
      values['certificate-chain'] !== undefined,
      keyless,
    ];
    if (modes.filter(Boolean).length !== 1) {
      throw new UsageError(
        'give exactly one of --public-key, --certificate-chain or --identity/--identity-provider',
      );
    }
    if (keyless && (values.identity === undefined || values['identity-provider'] === undefined)) {
      throw new UsageError('--identity and --identity-provider go together');
    }
    if (keyless && values['trust-config'] === undefined) {
      throw new UsageError(
        'keyless verification is offline and needs --trust-config trusted_root.json',
      );
    }
    const at = (p: string): string => resolve(io.cwd, p);
    const model = at(positionals[0] ?? '');
    let publicKey: string | undefined;
    let chain: string[] | undefined;
    let trustedRoot: unknown;
    try {
      const pub = values['public-key'];
      publicKey = pub === undefined ? undefined : await readFile(at(pub), 'utf8');
      const chainFiles = values['certificate-chain'];
      chain =
        chainFiles === undefined
          ? undefined
          : await Promise.all(chainFiles.map((f) => readFile(at(f), 'utf8')));
      const trust = values['trust-config'];
      if (trust !== undefined) {
        const text = await readFile(at(trust), 'utf8');
        try {
          trustedRoot = JSON.parse(text) as unknown;
        } catch {
          throw new UsageError(`--trust-config ${trust} is not JSON`);
        }
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.stderr.write(`torchward verify: ${(error as Error).message}\n`);
      return EXIT.NO_INPUT;
    }
    const signaturePath = await findSignature(
      model,
      values.signature === undefined ? undefined : at(values.signature),
    );
    try {
      const result = await verifyModel(model, {
        signaturePath,
        limits: DEFAULT_LIMITS,
        ignorePaths,
        ignoreGitPaths: !values['no-ignore-git-paths'],
        ignoreUnsignedFiles: values['ignore-unsigned-files'],
        ...(publicKey === undefined ? {} : { publicKey }),
        ...(chain === undefined ? {} : { certificateChain: chain }),
        ...(values.identity === undefined ? {} : { identity: values.identity }),
        ...(values['identity-provider'] === undefined
          ? {}
          : { identityProvider: values['identity-provider'] }),
        ...(trustedRoot === undefined ? {} : { trustedRoot }),
      });
      if (format === 'json') {
        const report = {
          version: 1,
          ok: result.ok,
          signature: signaturePath,
          ...(result.method === undefined ? {} : { method: result.method }),
          ...(result.signer === undefined ? {} : { signer: result.signer }),
          checkedFiles: result.checkedFiles,
          ...(result.statement === undefined ? {} : { rootDigest: result.statement.rootDigest }),
          problems: result.problems,
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout.write(
          `OK: ${result.checkedFiles} file(s) verified, signed by ${result.signer ?? '?'}\n`,
        );
      } else {
        io.stdout.write(
          `FAILED: ${signaturePath}\n${result.problems.map((p) => `  ${p.code}${p.formatCode === undefined ? '' : ` (${p.formatCode})`}: ${p.message}\n`).join('')}`,
        );
      }
      return result.ok ? EXIT.OK : EXIT.FINDINGS;
    } catch (error) {
      if (error instanceof ProvenanceError) {
        io.stderr.write(`torchward verify: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      throw error;
    }
  },
};
