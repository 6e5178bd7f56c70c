import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { ProvenanceError } from '../../provenance/errors.js';
import { signModel } from '../../provenance/sign.js';
import { checkIgnorePaths } from '../args.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const HELP = `Usage: torchward sign MODEL --private-key KEY.pem [options]

Writes an OpenSSF Model Signing (OMS v1.0) signature: a Sigstore bundle with a DSSE envelope over
an in-toto statement of every file's SHA-256. Default output: MODEL/model.sig for a folder,
MODEL.sig beside a single file.

Options:
  --private-key FILE          EC private key (P-256, P-384 or P-521), PEM
  --password-file FILE        read the password of an encrypted private key from FILE (its
                              first line); or set TORCHWARD_KEY_PASSWORD. Never on the command
                              line, where other users can read it (ps, /proc, shell history)
  --signing-certificate FILE  PKI signing: the leaf certificate of the key (PEM)
  --certificate-chain FILE    PKI signing: intermediate certificates (PEM, repeatable)
  --signature FILE            where to write the signature
  --shard-size BYTES          the "shards" serialization with this shard size
  --ignore-paths PATH         leave out a relative path (repeatable)
  --no-ignore-git-paths       sign .git, .gitattributes, .github, .gitignore too
  --allow-symlinks            sign the targets of symlinks that stay inside the model
  -f, --format text|json      output format (default text)
  -o, --output FILE           write the report to FILE
  -h, --help                  show this help

Exit codes: 0 signed, 1 the key or certificate was refused, 2 usage error, 3 no readable input.
`;

/** `torchward sign`: writes an OMS v1.0 bundle with a local EC key or a key and certificate. */
export const signCommand: Command = {
  name: 'sign',
  summary: 'Sign a model as an OpenSSF Model Signing (OMS v1.0) bundle with an EC key or PKI',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'private-key': { type: 'string' },
        password: { type: 'string' },
        'password-file': { type: 'string' },
        'signing-certificate': { type: 'string' },
        'certificate-chain': { type: 'string', multiple: true },
        signature: { type: 'string' },
        'shard-size': { type: 'string' },
        'ignore-paths': { type: 'string', multiple: true },
        'no-ignore-git-paths': { type: 'boolean', default: false },
        'allow-symlinks': { type: 'boolean', default: false },
        format: { type: 'string', short: 'f', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const ignorePaths = checkIgnorePaths(values['ignore-paths']);
    if (values.password !== undefined) {
      throw new UsageError(
        'a password on the command line can be read by other users; use --password-file FILE or TORCHWARD_KEY_PASSWORD',
      );
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one MODEL');
    if (values['private-key'] === undefined) throw new UsageError('--private-key is required');
    const format = checkFormat(values.format, ['text', 'json']);
    if (values['certificate-chain'] !== undefined && values['signing-certificate'] === undefined) {
      throw new UsageError('--certificate-chain needs --signing-certificate');
    }
    const shard = values['shard-size'];
    if (shard !== undefined && (!/^\d{1,16}$/.test(shard) || Number(shard) <= 0)) {
      throw new UsageError(`--shard-size needs a positive integer, got '${shard}'`);
    }
    const at = (p: string): string => resolve(io.cwd, p);
    let keyText: string;
    let certText: string | undefined;
    let chain: string[] | undefined;
    let password = io.env.TORCHWARD_KEY_PASSWORD;
    try {
      keyText = await readFile(at(values['private-key']), 'utf8');
      const passwordFile = values['password-file'];
      if (passwordFile !== undefined) {
        // The first line, without its line break: what `echo secret > file` writes.
        password = (await readFile(at(passwordFile), 'utf8')).split(/\r?\n/)[0] ?? '';
      }
      const cert = values['signing-certificate'];
      certText = cert === undefined ? undefined : await readFile(at(cert), 'utf8');
      const chainFiles = values['certificate-chain'];
      chain =
        chainFiles === undefined
          ? undefined
          : await Promise.all(chainFiles.map((f) => readFile(at(f), 'utf8')));
    } catch (error) {
      io.stderr.write(`torchward sign: ${(error as Error).message}\n`);
      return EXIT.NO_INPUT;
    }
    try {
      const result = await signModel(at(positionals[0] ?? ''), {
        privateKey: keyText,
        limits: DEFAULT_LIMITS,
        ignorePaths,
        ignoreGitPaths: !values['no-ignore-git-paths'],
        allowSymlinks: values['allow-symlinks'],
        ...(password === undefined ? {} : { password }),
        ...(certText === undefined ? {} : { signingCertificate: certText }),
        ...(chain === undefined ? {} : { certificateChain: chain }),
        ...(values.signature === undefined ? {} : { signaturePath: at(values.signature) }),
        ...(shard === undefined ? {} : { shardSize: Number(shard) }),
      });
      if (format === 'json') {
        const report = {
          version: 1,
          signature: result.signaturePath,
          rootDigest: result.rootDigest,
          method: result.manifest.method,
          files: result.manifest.resources.length,
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout.write(
          `Signed ${result.manifest.resources.length} ${result.manifest.method === 'files' ? 'file(s)' : 'shard(s)'} ` +
            `(root sha256:${result.rootDigest}) -> ${result.signaturePath}\n`,
        );
      }
      return EXIT.OK;
    } catch (error) {
      if (error instanceof ProvenanceError) {
        io.stderr.write(`torchward sign: ${error.code}: ${error.message}\n`);
        return error.code === 'NO_INPUT' ||
          error.code === 'READ_FAILED' ||
          error.code === 'EMPTY_MODEL'
          ? EXIT.NO_INPUT
          : EXIT.FINDINGS;
      }
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('E')) {
        io.stderr.write(
          `torchward sign: cannot write the signature: ${(error as Error).message}\n`,
        );
        return EXIT.NO_INPUT;
      }
      throw error;
    }
  },
};
