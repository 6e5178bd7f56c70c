import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Command, CliIo } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import type { RedisQueue } from '../../server/redis-queue.js';
import type { ContentStore } from '../../server/store.js';
import type { HubFetcher } from '../../server/hub-fetch.js';
import {
  byteSize,
  hubFetcher,
  positiveInt,
  postgresResults,
  QUEUE_OPTIONS,
  requiredRedis,
  storeDir,
} from './service-options.js';

const HELP = `Usage: torchward hub-scan --redis URL --list FILE [options]

Queues every artifact of a list for \`torchward worker\` processes and follows them to the end:
one item a line, a local path, an http(s) URL (fetched through the SSRF guard) or an hf:// id:
a file (hf://OWNER/NAME[@REV]/PATH) or a whole repository (hf://OWNER/NAME[@REV], every file of
it). Empty lines and lines starting with # are skipped. Each artifact is stored by SHA-256 and scanned once, however often it is listed.

Options:
  --redis URL             Redis holding the queue
  --list FILE             the list of artifacts
  --store DIR             the artifact store shared with the workers (default ./torchward-store)
  --max-items N           refuse a list of more items than this (default 100000), before queuing any
  --max-upload SIZE       largest artifact fetched or copied (default 4G)
  --allow-loopback-urls   let URLs reach 127.0.0.0/8 and ::1 (tests, local mirrors)
  --postgres URL          results are kept in Postgres (postgres://…), as the workers were told
  --hf-endpoint URL       the Hugging Face Hub of hf:// ids (default: HF_ENDPOINT, else
                          https://huggingface.co); HF_TOKEN is sent to it only
  --no-wait               queue and exit; do not follow the scans
  --format text|json      the summary on stdout (default text)
  -h, --help              show this help

Progress goes to stderr. Exit codes: 0 every item scanned safe, 1 an item not safe, failed or
refused, 2 usage error (a list over --max-items included).
`;

// Items stored and queued at once.
const IN_FLIGHT = 8;
// A line longer than this is an error for that item (no path or URL is this long).
const MAX_LINE = 8192;
// The first errors are printed one by one; the rest are counted.
const PRINTED_ERRORS = 20;

interface Summary {
  items: number;
  queued: number;
  alreadyScanned: number;
  duplicates: number;
  itemErrors: Record<string, number>;
  scanned: number;
  failed: number;
  verdicts: Record<string, number>;
  elapsedMs: number;
}

/** `torchward hub-scan`: queue a list of artifacts and print progress and a summary. */
export const hubScanCommand: Command = {
  name: 'hub-scan',
  summary: 'Queue a list of artifacts (paths, URLs) for the workers; progress and summary',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...QUEUE_OPTIONS,
        list: { type: 'string' },
        'max-items': { type: 'string' },
        'max-upload': { type: 'string' },
        'allow-loopback-urls': { type: 'boolean', default: false },
        'hf-endpoint': { type: 'string' },
        'no-wait': { type: 'boolean', default: false },
        format: { type: 'string', default: 'text' },
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
    if (values.list === undefined) throw new UsageError('--list FILE is required');
    const format = checkFormat(values.format, ['text', 'json']);
    const maxItems = positiveInt(values['max-items'], '--max-items', 100_000);
    const maxBytes = byteSize(values['max-upload'], '--max-upload', 4 * 2 ** 30);
    const listPath = resolve(io.cwd, values.list);
    // First pass: count, so an oversized list is refused before anything is queued.
    let items: number;
    try {
      items = await countItems(listPath, maxItems);
    } catch (error) {
      throw new UsageError(`--list ${values.list}: ${(error as Error).message}`);
    }
    if (items > maxItems) {
      throw new UsageError(
        `--list ${values.list} has more than ${maxItems} items (--max-items); split it or raise the limit`,
      );
    }

    const { ContentStore } = await import('../../server/store.js');
    const { RedisQueue } = await import('../../server/redis-queue.js');
    const store = new ContentStore(storeDir(values.store, io.cwd));
    await store.init();
    const queue = new RedisQueue(redis, await postgresResults(values.postgres));
    const hub = await hubFetcher(values['hf-endpoint'], io.env, values['allow-loopback-urls']);
    const started = Date.now();
    const summary: Summary = {
      items,
      queued: 0,
      alreadyScanned: 0,
      duplicates: 0,
      itemErrors: {},
      scanned: 0,
      failed: 0,
      verdicts: {},
      elapsedMs: 0,
    };
    const ids = new Set<string>();
    let printed = 0;
    const itemError = (line: number, code: string, message: string): void => {
      summary.itemErrors[code] = (summary.itemErrors[code] ?? 0) + 1;
      if (printed++ < PRINTED_ERRORS) {
        io.stderr.write(`torchward hub-scan: line ${line}: ${code}: ${message}\n`);
      }
    };
    const progress = new Progress(io, summary);
    try {
      await forEachItem(listPath, IN_FLIGHT, async (item, line) => {
        const ingest = async (one: string): Promise<void> => {
          const outcome = await ingestItem(one, {
            cwd: io.cwd,
            store,
            maxBytes,
            allowLoopback: values['allow-loopback-urls'],
            hub,
          });
          if ('error' in outcome) {
            itemError(line, outcome.error, outcome.message);
            return;
          }
          if (ids.has(outcome.id)) {
            summary.duplicates++;
            return;
          }
          ids.add(outcome.id);
          const status = await queue.submit(outcome.id);
          if (status === 'done') summary.alreadyScanned++;
          else summary.queued++;
          progress.tick('queuing');
        };
        const files = await expandHubRepository(item, hub, maxItems);
        if (files === undefined) {
          await ingest(item);
        } else if ('error' in files) {
          itemError(line, files.error, files.message);
        } else {
          // A repository stands for its files: each is an item of the summary.
          summary.items += files.length - 1;
          for (const file of files) await ingest(file);
        }
      });
      if (!values['no-wait']) await follow(queue, ids, summary, progress);
    } finally {
      await queue.close();
    }
    summary.elapsedMs = Date.now() - started;
    progress.end();
    if (printed > PRINTED_ERRORS) {
      io.stderr.write(`torchward hub-scan: … ${printed - PRINTED_ERRORS} more item errors\n`);
    }
    io.stdout.write(
      format === 'json'
        ? `${JSON.stringify(summary, null, 2)}\n`
        : text(summary, values['no-wait']),
    );
    const notSafe = Object.entries(summary.verdicts).some(([v, n]) => v !== 'safe' && n > 0);
    const errors = Object.values(summary.itemErrors).reduce((a, b) => a + b, 0);
    return notSafe || errors > 0 || summary.failed > 0 ? EXIT.FINDINGS : EXIT.OK;
  },
};

/** Counts the items of a list, stopping early once past `limit`. */
async function countItems(path: string, limit: number): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (++n > limit) {
      lines.close();
      break;
    }
  }
  return n;
}

/** Calls `fn` for every item of the list, `inFlight` at a time, reading the list as a stream. */
async function forEachItem(
  path: string,
  inFlight: number,
  fn: (item: string, line: number) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const p = fn(line, lineNo).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= inFlight) await Promise.race(running);
  }
  await Promise.all(running);
}

type Ingested = { id: string } | { error: string; message: string };

/**
 * The file references of an `hf://` repository item (no file path), at most `max`; undefined
 * for any other item; a per-item error when the Hub cannot list it.
 */
async function expandHubRepository(
  item: string,
  hub: HubFetcher,
  max: number,
): Promise<string[] | { error: string; message: string } | undefined> {
  if (!item.startsWith('hf://') || item.length > MAX_LINE) return undefined;
  const { parseHubFileRef } = await import('../../server/hub-fetch.js');
  const { HubError } = await import('../../hub/client.js');
  const { hubErrorStatus } = await import('../../server/references.js');
  try {
    const file = parseHubFileRef(item);
    if (file.path !== undefined) return undefined;
    const files = await hub.files(file.ref);
    if (files.length > max) {
      return { error: 'TOO_MANY_FILES', message: `${item} has more than ${max} files` };
    }
    return files;
  } catch (error) {
    if (error instanceof HubError)
      return { error: hubErrorStatus(error).code, message: error.message };
    throw error;
  }
}

interface IngestOptions {
  readonly cwd: string;
  readonly store: ContentStore;
  readonly maxBytes: number;
  readonly allowLoopback: boolean;
  readonly hub: HubFetcher;
}

async function ingestItem(item: string, options: IngestOptions): Promise<Ingested> {
  const { FetchRefusedError } = await import('../../server/ssrf.js');
  const { hubErrorStatus, openReference } = await import('../../server/references.js');
  const { MismatchError, TooLargeError } = await import('../../server/store.js');
  const { HubError } = await import('../../hub/client.js');
  const { cwd, store, maxBytes } = options;
  if (item.length > MAX_LINE)
    return { error: 'BAD_ITEM', message: `longer than ${MAX_LINE} characters` };
  let opened;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) {
      opened = await openReference(item, {
        guard: options.allowLoopback ? { allowLoopback: true } : {},
        hub: options.hub,
        maxBytes,
      });
      return { id: (await store.ingest(opened.body, maxBytes, opened.expect)).sha256 };
    }
    const path = resolve(cwd, item);
    const info = await stat(path);
    if (!info.isFile()) return { error: 'NOT_A_FILE', message: `${item} is not a regular file` };
    return { id: (await store.ingest(createReadStream(path), maxBytes)).sha256 };
  } catch (error) {
    opened?.close();
    if (error instanceof FetchRefusedError) return { error: error.code, message: error.message };
    if (error instanceof HubError)
      return { error: hubErrorStatus(error).code, message: error.message };
    if (error instanceof MismatchError) return { error: 'HUB_MISMATCH', message: error.message };
    if (error instanceof TooLargeError) return { error: 'TOO_LARGE', message: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { error: 'NOT_FOUND', message: `${item} does not exist` };
    return { error: 'UNREADABLE', message: `${item}: ${(error as Error).message}` };
  }
}

/** Waits for every queued id to have a result or a final failure. */
async function follow(
  queue: RedisQueue,
  ids: Set<string>,
  summary: Summary,
  progress: Progress,
): Promise<void> {
  const pending = new Set(ids);
  let round = 0;
  while (pending.size > 0) {
    const batch = [...pending];
    for (let at = 0; at < batch.length; at += 1000) {
      const part = batch.slice(at, at + 1000);
      const found = await queue.results.verdicts(part);
      for (const [i, verdict] of found.entries()) {
        const id = part[i];
        if (verdict === undefined || id === undefined) continue;
        pending.delete(id);
        summary.scanned++;
        summary.verdicts[verdict] = (summary.verdicts[verdict] ?? 0) + 1;
      }
    }
    // Now and then, look for scans that failed for good (they are in the dead-letter queue).
    if (++round % 10 === 0) {
      for (const id of [...pending].slice(0, 5000)) {
        const record = await queue.get(id);
        if (record?.status === 'failed') {
          pending.delete(id);
          summary.failed++;
        }
      }
    }
    progress.tick('scanning');
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
}

/** One progress line on stderr at most every second. */
class Progress {
  private last = 0;
  constructor(
    private readonly io: CliIo,
    private readonly summary: Summary,
  ) {}

  tick(phase: string): void {
    const now = Date.now();
    if (now - this.last < 1000) return;
    this.last = now;
    const s = this.summary;
    const errors = Object.values(s.itemErrors).reduce((a, b) => a + b, 0);
    this.io.stderr.write(
      `torchward hub-scan: ${phase}: ${s.queued + s.alreadyScanned} of ${s.items} queued, ${s.scanned} scanned, ${s.failed} failed, ${errors} item errors\n`,
    );
  }

  end(): void {
    this.last = 0;
    this.tick('done');
  }
}

function text(s: Summary, noWait: boolean): string {
  const errors = Object.entries(s.itemErrors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const verdicts = Object.entries(s.verdicts)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
  const seconds = s.elapsedMs / 1000;
  return [
    `items: ${s.items}`,
    `queued: ${s.queued} (already scanned: ${s.alreadyScanned}, duplicates in the list: ${s.duplicates})`,
    `item errors: ${errors === '' ? 'none' : errors}`,
    ...(noWait
      ? []
      : [
          `scanned: ${s.scanned} (${verdicts === '' ? 'none' : verdicts}), failed: ${s.failed}`,
          `elapsed: ${seconds.toFixed(1)} s (${(s.scanned / Math.max(seconds, 0.001)).toFixed(1)} artifacts/s)`,
        ]),
    '',
  ].join('\n');
}
