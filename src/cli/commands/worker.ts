import { parseArgs } from 'node:util';
import type { Command } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import {
  positiveInt,
  postgresResults,
  QUEUE_OPTIONS,
  requiredRedis,
  storeDir,
  untilSignal,
} from './service-options.js';

const HELP = `Usage: torchward worker --redis URL [--concurrency N] [options]

Scans the artifacts queued in Redis by \`torchward serve --redis\` and \`torchward hub-scan\`. Run
any number of workers, on any machines that share the artifact store folder. A job is keyed by
the artifact's SHA-256 (scanned once), retried with back-off (3 attempts), copied to the
dead-letter queue after the last, and taken over by another worker if this one dies.

Options:
  --redis URL          Redis holding the queue (redis://HOST:PORT)
  --postgres URL       write results to Postgres (postgres://USER@HOST:PORT/DB) instead of
                       Redis; give serve and hub-scan the same URL
  --store DIR          the artifact store (default ./torchward-store), shared with serve/hub-scan
  --concurrency N      jobs at once (default 1), each on its own scan thread
  --timeout SECONDS    time limit per artifact (default 120)
  --lock-seconds N     a job held by a dead worker is taken over after about N seconds (default 30)
  -h, --help           show this help

Exit codes: 0 stopped by SIGINT/SIGTERM (jobs in hand are finished first), 2 usage error.
`;

/** `torchward worker`: a BullMQ worker process. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'Scan queued artifacts from Redis (BullMQ); run any number of them',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...QUEUE_OPTIONS,
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        'lock-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
    const redis = requiredRedis(values.redis);
    const concurrency = positiveInt(values.concurrency, '--concurrency', 1);
    const timeoutMs = positiveInt(values.timeout, '--timeout', 120) * 1000;
    const lockMs = positiveInt(values['lock-seconds'], '--lock-seconds', 30) * 1000;
    const { ContentStore } = await import('../../server/store.js');
    const { startWorker } = await import('../../server/worker.js');
    const store = new ContentStore(storeDir(values.store, io.cwd));
    await store.init();
    const results = await postgresResults(values.postgres, concurrency + 1);
    const running = startWorker({
      redisUrl: redis,
      ...(results === undefined ? {} : { results }),
      store,
      concurrency,
      timeoutMs,
      lockMs,
      onEvent: (event) => {
        if (!event.startsWith('done ')) io.stderr.write(`torchward worker: ${event}\n`);
      },
    });
    await running.worker.waitUntilReady();
    io.stdout.write(
      `torchward worker: ready (concurrency ${concurrency}, store ${store.root}, results in ${results === undefined ? 'Redis' : 'Postgres'})\n`,
    );
    await untilSignal();
    await running.close();
    return EXIT.OK;
  },
};
