import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGuardProxy } from '../../guard/proxy.js';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { readGuardConfig } from '../guard-config.js';

const HELP = `Usage: torchward guard proxy --listen 127.0.0.1:PORT --upstream URL [options]

An OpenAI-compatible HTTP proxy: chat completions and completions (streaming included) have
their user and tool messages sanitised and scored before they are forwarded to URL (the request
path is appended to it, e.g. --upstream http://127.0.0.1:8000); responses are checked for the
configured canaries and for image/link exfiltration. Other requests pass through.

Options:
  --listen HOST:PORT       address to listen on (loopback only unless --allow-remote; port 0 picks one)
  --upstream URL           the OpenAI-compatible server to forward to
  --policy block|annotate  block: refuse flagged requests with HTTP 400 (default); annotate:
                           forward the sanitised text and report in x-torchward-guard-* headers
  --mode strict|balanced|permissive
  --canary STRING          a secret that must never appear in a response (repeatable; adds to
                           guard.canaries)
  --redact mask|hmac|placeholder
                           also redact personal data and secrets in outbound user/tool text
                           (the detectors of scan --privacy, as torchward redact does); the
                           placeholder mapping stays in the proxy's memory
  --redact-key-file FILE   the HMAC key for --redact hmac (or TORCHWARD_REDACT_KEY, hex)
  --allow-remote           allow a non-loopback --listen address
  --config FILE / --no-config
  -h, --help

Runs until interrupted (SIGINT/SIGTERM). Exit codes: 0 stopped, 2 usage error.
`;

/** `torchward guard proxy`. */
export async function proxyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      listen: { type: 'string' },
      upstream: { type: 'string' },
      policy: { type: 'string', default: 'block' },
      mode: { type: 'string' },
      canary: { type: 'string', multiple: true, default: [] },
      'allow-remote': { type: 'boolean', default: false },
      config: { type: 'string' },
      'no-config': { type: 'boolean', default: false },
      redact: { type: 'string' },
      'redact-key-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (values.listen === undefined || values.upstream === undefined)
    throw new UsageError('--listen and --upstream are required');
  const m = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(values.listen);
  if (m === null) throw new UsageError(`--listen must be HOST:PORT, not '${values.listen}'`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError('--listen port must be 0-65535');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback && !values['allow-remote'])
    throw new UsageError(
      `--listen ${host} is not a loopback address (add --allow-remote to mean it)`,
    );
  try {
    new URL(values.upstream);
  } catch {
    throw new UsageError(`--upstream is not a URL: '${values.upstream}'`);
  }
  const policy = values.policy;
  if (policy !== 'block' && policy !== 'annotate')
    throw new UsageError(`--policy must be block or annotate, not '${policy}'`);
  const mode = values.mode;
  if (mode !== undefined && mode !== 'strict' && mode !== 'balanced' && mode !== 'permissive')
    throw new UsageError(`--mode must be strict, balanced or permissive, not '${mode}'`);
  const base = await readGuardConfig(values.config, values['no-config'], io);
  const config = {
    ...base,
    canaries: [...base.canaries, ...values.canary.filter((c) => c.length > 0)],
  };
  const redact = await proxyRedactor(values.redact, values['redact-key-file'], io);
  const proxy = await startGuardProxy({
    host,
    port,
    upstream: values.upstream,
    config,
    policy,
    ...(mode === undefined ? {} : { mode }),
    ...(redact === undefined ? {} : { redact }),
  });
  io.stderr.write(
    `torchward guard proxy: listening on ${proxy.url}, forwarding to ${values.upstream}\n`,
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void proxy.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.OK;
}

/**
 * The redaction `--redact MODE` asks for: torchward redact's detectors and replacements over
 * each outbound prompt (placeholders stay consistent for the life of the proxy; the mapping is
 * kept in memory only).
 */
async function proxyRedactor(
  mode: string | undefined,
  keyFile: string | undefined,
  io: CliIo,
): Promise<((text: string) => string) | undefined> {
  if (mode === undefined) {
    if (keyFile !== undefined) throw new UsageError('--redact-key-file goes with --redact hmac');
    return undefined;
  }
  if (mode !== 'mask' && mode !== 'hmac' && mode !== 'placeholder')
    throw new UsageError(`--redact must be mask, hmac or placeholder, not '${mode}'`);
  let key: Uint8Array | undefined;
  if (mode === 'hmac') {
    if (keyFile !== undefined) key = await readFile(resolve(io.cwd, keyFile));
    else if (io.env.TORCHWARD_REDACT_KEY !== undefined)
      key = Buffer.from(io.env.TORCHWARD_REDACT_KEY, 'hex');
    if (key === undefined || key.byteLength < 16)
      throw new UsageError('--redact hmac needs a key of at least 16 bytes (--redact-key-file)');
  }
  const { PrivacyDetector } = await import('../../privacy/detect.js');
  const { Redactor } = await import('../../privacy/redact.js');
  const redactor = new Redactor(new PrivacyDetector(), mode, key);
  return (text) => redactor.redact(text);
}
