import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toolVersion } from '../../engine/version.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import {
  byteSize,
  hubFetcher,
  positiveInt,
  postgresResults,
  QUEUE_OPTIONS,
  redisUrl,
  storeDir,
  untilSignal,
} from './service-options.js';

const HELP = `Usage: torchward serve [--listen HOST:PORT] [--redis URL] [options]
       torchward serve keys create --api-keys FILE

The scanning service: an HTTP API (POST /v1/scans, GET /v1/scans/{id}, GET /v1/scans/{id}/sarif,
/healthz, /metrics, /openapi.json) and the web page at /. Without --redis, scans run in this
process; with --redis, they are queued for \`torchward worker\` processes.

Options:
  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080; port 0 picks one)
  --redis URL               queue scans in Redis (redis://HOST:PORT) for torchward worker
  --postgres URL            keep results in Postgres (postgres://USER@HOST:PORT/DB) instead of
                            Redis; needs --redis, and the workers given the same URL
  --store DIR               content-addressed artifact store (default ./torchward-store); shared
                            with the workers
  --api-keys FILE           accepted API keys (hashes, made by \`serve keys create\`); POST needs
                            Authorization: Bearer KEY
  --no-auth                 accept POST without a key (a single-user machine only)
  --max-upload SIZE         largest artifact, uploaded or fetched (default 4G)
  --concurrency N           scans at once without --redis (default 1)
  --timeout SECONDS         time limit per artifact (default 120)
  --request-timeout SECONDS a request (an upload) must complete within this (default 900)
  --allow-loopback-urls     let URL references reach 127.0.0.0/8 and ::1 (tests, local mirrors);
                            every other private range stays refused
  --hf-endpoint URL         the Hugging Face Hub of hf:// references (default: HF_ENDPOINT, else
                            https://huggingface.co); trusted as configured, HF_TOKEN is sent to
                            it only; a download it redirects elsewhere passes the SSRF guard
  --no-hf                   refuse hf:// references (422 NOT_SUPPORTED)
  -h, --help                show this help

Exit codes: 0 stopped by SIGINT/SIGTERM, 2 usage error, 4 internal error.
`;

/** `torchward serve`: the HTTP API, the web page, and (without --redis) an in-process queue. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the scanning service: HTTP API, web page, in-process or Redis queue',
  async run(argv, io) {
    if (argv[0] === 'keys') return keysCommand(argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        listen: { type: 'string', default: '127.0.0.1:8080' },
        ...QUEUE_OPTIONS,
        'api-keys': { type: 'string' },
        'no-auth': { type: 'boolean', default: false },
        'max-upload': { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        'request-timeout': { type: 'string' },
        'allow-loopback-urls': { type: 'boolean', default: false },
        'hf-endpoint': { type: 'string' },
        'no-hf': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
    const m = /^(\[[0-9a-f:]+\]|[\w.-]+):(\d{1,5})$/i.exec(values.listen);
    if (m?.[1] === undefined || m[2] === undefined || Number(m[2]) > 65535) {
      throw new UsageError(`--listen needs HOST:PORT, got '${values.listen}'`);
    }
    const host = m[1].replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    if (values['api-keys'] === undefined && !values['no-auth']) {
      throw new UsageError(
        'give --api-keys FILE (make a key with `torchward serve keys create --api-keys FILE`) or --no-auth',
      );
    }
    const redis = redisUrl(values.redis);
    if (values.postgres !== undefined && redis === undefined) {
      throw new UsageError("--postgres keeps the workers' results: it needs --redis");
    }
    const maxUploadBytes = byteSize(values['max-upload'], '--max-upload', 4 * 2 ** 30);
    const concurrency = positiveInt(values.concurrency, '--concurrency', 1);
    const timeoutMs = positiveInt(values.timeout, '--timeout', 120) * 1000;
    const requestTimeoutMs =
      positiveInt(values['request-timeout'], '--request-timeout', 900) * 1000;

    if (values['no-hf'] && values['hf-endpoint'] !== undefined) {
      throw new UsageError('--no-hf and --hf-endpoint contradict each other');
    }
    const hub = values['no-hf']
      ? undefined
      : await hubFetcher(values['hf-endpoint'], io.env, values['allow-loopback-urls']);
    const { ContentStore } = await import('../../server/store.js');
    const { buildApp } = await import('../../server/app.js');
    const store = new ContentStore(storeDir(values.store, io.cwd));
    await store.init();
    let keys;
    if (values['api-keys'] !== undefined) {
      const { loadKeys } = await import('../../server/keys.js');
      try {
        keys = await loadKeys(values['api-keys']);
      } catch (error) {
        throw new UsageError(`--api-keys: ${(error as Error).message}`);
      }
    }
    const queue =
      redis === undefined
        ? new (await import('../../server/memory-queue.js')).MemoryQueue(store, {
            concurrency,
            attempts: 3,
            timeoutMs,
          })
        : new (await import('../../server/redis-queue.js')).RedisQueue(
            redis,
            await postgresResults(values.postgres),
          );
    const app = await buildApp({
      store,
      queue,
      ...(keys === undefined ? {} : { keys }),
      noAuth: values['no-auth'],
      maxUploadBytes,
      allowLoopbackUrls: values['allow-loopback-urls'],
      ...(hub === undefined ? {} : { hub }),
      webRoot: fileURLToPath(new URL('../../web/', import.meta.url)),
      requestTimeoutMs,
      version: toolVersion(),
    });
    const address = await app.listen({ host, port });
    io.stdout.write(
      `torchward serve: listening on ${address} (${redis === undefined ? 'in-process queue' : 'Redis queue'}, store ${store.root})\n`,
    );
    await untilSignal();
    await app.close();
    await queue.close();
    return EXIT.OK;
  },
};

async function keysCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'api-keys': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals[0] !== 'create' || positionals.length !== 1) {
    throw new UsageError('expected `serve keys create --api-keys FILE`');
  }
  if (values['api-keys'] === undefined) throw new UsageError('keys create needs --api-keys FILE');
  const { createKey } = await import('../../server/keys.js');
  const { key, id } = await createKey(resolve(io.cwd, values['api-keys']));
  io.stdout.write(`${key}\n`);
  io.stderr.write(
    `torchward: key ${id} added to ${values['api-keys']} (only its SHA-256 is stored; this is the only time the key is shown)\n`,
  );
  return EXIT.OK;
}
