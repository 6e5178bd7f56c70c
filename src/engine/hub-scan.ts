import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { sortFindings, type Severity } from '../core/finding.js';
import { hfCachePlace } from '../core/hf-cache.js';
import { makeLimits } from '../core/limits.js';
import {
  BLOCK,
  HubClient,
  HubError,
  downloadFile,
  formatHubRef,
  parseHubRef,
  type HubConnection,
  type HubRef,
  type HubTreeFile,
} from '../hub/client.js';
import { LFS_POINTER_MAX_BYTES, parseLfsPointer } from '../formats/checksums/index.js';
import { EMPTY_CONFIG } from './config-model.js';
import { toolVersion } from './version.js';
import type { FileResult, HubFileOrigin, HubScanInfo, ScanReport } from './result.js';
import { summarize } from './summary.js';
import { scanFoundSource } from './scan-file.js';
import { scanPaths, unscannedEntry, type ScanOptions } from './scan.js';

/** Options of a scan of a Hub repository: those of `scanPaths` plus the connection. */
export interface HubScanOptions extends ScanOptions {
  readonly connection: HubConnection;
  /**
   * Files up to this size are downloaded whole and checked against the Hub's hash (SHA-256 of
   * an LFS object, the git blob id otherwise); larger ones are read by ranges. Default 8 MiB.
   */
  readonly wholeBytes?: number;
}

const DEFAULT_WHOLE_BYTES = 8 * 1024 * 1024;
/** Files kept as text for the ML-BOM's model cards. */
const CARD_FILE = /(?:^|\/)(?:README\.md|config\.json)$/;
const CARD_TEXT_BYTES = 1024 * 1024;
/** Files read from the Hub at once. */
const REMOTE_IN_FLIGHT = 4;

/**
 * Scans the repository an `hf://` reference names, at the commit its revision resolves to:
 * small files are downloaded whole into a private temporary folder and scanned as a folder
 * (models, code, configs, workflows: every audit), large ones are read by ranges straight from
 * the Hub (a safetensors header, a zip's central directory and the pickles it points at), so a
 * multi-gigabyte repository is judged without downloading its weights. Every file that could
 * not be read as the Hub lists it (an error status, a short answer, a size or hash that differs
 * from the tree, an LFS pointer in place of its object) is an unscanned entry, never safe.
 * Never throws for what the Hub answers; throws HubError BAD_REFERENCE for a malformed id.
 */
export async function scanHubRepository(
  refText: string,
  options: HubScanOptions,
): Promise<ScanReport> {
  const started = Date.now();
  const ref = parseHubRef(refText);
  const client = new HubClient(options.connection);
  const limits = makeLimits(options.limits);
  const config = options.config ?? EMPTY_CONFIG;
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const severity: Severity = options.unscannedSeverity ?? 'high';
  const whole = options.wholeBytes ?? DEFAULT_WHOLE_BYTES;
  const asked = formatHubRef(ref);

  let commit: string;
  let tree: HubTreeFile[];
  try {
    commit = (await client.revision(ref)).sha;
    tree = await client.tree(ref, commit, options.maxFiles ?? limits.maxEntries);
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    const entry = unscannedEntry(
      { path: asked, reason: error.message, kind: 'unreadable' },
      severity,
    );
    return finish([entry], [], [], started, {
      source: asked,
      repos: [],
      bytesReceived: 0,
    });
  }
  const base = `${formatHubRef(ref, commit)}/`;
  const origin = (file: string, read: HubFileOrigin['read']): HubFileOrigin => ({
    repo: ref.id,
    type: ref.type,
    revision: commit,
    file,
    read,
  });
  const tmp = await mkdtemp(join(tmpdir(), 'torchward-hub-'));
  const results: FileResult[] = [];
  const internalErrors: string[] = [];
  const skipped: string[] = [];
  const hashes = new Map<string, string>();
  const texts: Record<string, string> = {};
  let bytesReceived = 0;
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tree.length) {
        const file = tree[next++];
        if (file === undefined) break;
        const display = base + file.path;
        const size = file.lfs?.size ?? file.size;
        const fail = (reason: string): void => {
          results.push({
            ...unscannedEntry({ path: display, reason, kind: 'unreadable' }, severity),
            hub: origin(file.path, size <= whole ? 'whole' : 'ranged'),
          });
        };
        try {
          if (size <= whole) {
            const bytes = await downloadFile(client, ref, commit, file.path, whole + 1);
            bytesReceived += bytes.byteLength;
            const problem = checkWhole(file, size, bytes);
            if (problem !== undefined) {
              fail(problem);
              continue;
            }
            const at = join(tmp, ...file.path.split('/'));
            await mkdir(dirname(at), { recursive: true });
            await writeFile(at, bytes);
            hashes.set(file.path, createHash('sha256').update(bytes).digest('hex'));
            if (CARD_FILE.test(file.path) && bytes.byteLength <= CARD_TEXT_BYTES)
              texts[display] = new TextDecoder().decode(bytes);
            continue;
          }
          const remote = await client.open(ref, commit, file.path, BLOCK);
          if (remote.size !== size) {
            bytesReceived += remote.bytesReceived;
            fail(
              file.lfs === undefined
                ? `the Hub serves ${remote.size} bytes, its tree lists ${size}`
                : `the Hub serves ${remote.size} bytes, the LFS pointer says ${size}: not the object the commit names`,
            );
            continue;
          }
          const scanned = await scanFoundSource(
            remote,
            display,
            file.path,
            limits,
            allowGlobals,
            internalErrors,
          );
          bytesReceived += remote.bytesReceived;
          if (scanned === 'skipped') {
            skipped.push(display);
            continue;
          }
          results.push({
            ...scanned,
            hub: origin(file.path, 'ranged'),
            ...(file.lfs === undefined ? {} : { sha256: file.lfs.oid }),
          });
        } catch (error) {
          if (error instanceof HubError) fail(error.message);
          else throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REMOTE_IN_FLIGHT, tree.length) }, worker));

    // The downloaded files, scanned as the folder they make: every audit sees them.
    const local = hashes.size === 0 ? undefined : await scanPaths([tmp], options);
    const prefix = `${tmp}${sep}`;
    const rewrite = <T>(value: T): T =>
      JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
        typeof v === 'string' && v.includes(prefix) ? v.split(prefix).join(base) : v,
      ) as T;
    if (local !== undefined) {
      for (const file of rewrite(local.files)) {
        const rel = file.path.startsWith(base) ? file.path.slice(base.length) : undefined;
        const sha = rel === undefined ? undefined : hashes.get(rel);
        results.push({
          ...file,
          findings: sortFindings(file.findings),
          ...(rel === undefined ? {} : { hub: origin(rel, 'whole') }),
          ...(sha === undefined ? {} : { sha256: sha }),
        });
      }
      skipped.push(...rewrite(local.summary.skipped));
      internalErrors.push(...rewrite(local.summary.internalErrors));
    }
    results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const report = finish(results, skipped, internalErrors, started, {
      source: asked,
      repos: [{ repo: ref.id, type: ref.type, revision: ref.revision, commit }],
      bytesReceived,
      texts,
    });
    return local?.torch === undefined ? report : { ...report, torch: rewrite(local.torch) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Why a downloaded file is not what the tree lists, or undefined when it is. */
function checkWhole(file: HubTreeFile, size: number, bytes: Uint8Array): string | undefined {
  if (bytes.byteLength !== size) {
    const pointer =
      file.lfs !== undefined && bytes.byteLength < LFS_POINTER_MAX_BYTES
        ? parseLfsPointer(new TextDecoder().decode(bytes))
        : undefined;
    if (pointer !== undefined)
      return 'the Hub served the LFS pointer instead of the file it points to (object missing)';
    return `the Hub served ${bytes.byteLength} bytes, its tree lists ${size}: not the file the commit names`;
  }
  if (file.lfs !== undefined) {
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== file.lfs.oid) {
      if (bytes.byteLength < LFS_POINTER_MAX_BYTES) {
        const pointer = parseLfsPointer(new TextDecoder().decode(bytes));
        if (pointer !== undefined)
          return 'the Hub served an LFS pointer instead of the file it points to';
      }
      return `SHA-256 ${digest} differs from the LFS object ${file.lfs.oid}`;
    }
    return undefined;
  }
  // A file outside LFS: its git blob id is SHA-1 over `blob <size>\0` and the bytes.
  const blob = createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
  if (blob !== file.oid) return `git blob id ${blob} differs from the tree's ${file.oid}`;
  if (bytes.byteLength < LFS_POINTER_MAX_BYTES) {
    const pointer = parseLfsPointer(new TextDecoder().decode(bytes));
    if (pointer !== undefined) {
      return `an LFS pointer (to ${pointer.size} bytes, sha256:${pointer.oid}) committed outside LFS: the file it names is not in the repository`;
    }
  }
  return undefined;
}

function finish(
  files: FileResult[],
  skipped: string[],
  internalErrors: string[],
  started: number,
  hub: HubScanInfo,
): ScanReport {
  return {
    version: 1,
    tool: { name: 'torchward', version: toolVersion() },
    files,
    hub,
    summary: {
      ...summarize(files, skipped, [], internalErrors, Date.now() - started),
      config: { path: null, ignoredConfigs: [], excluded: 0, ignored: 0 },
    },
  };
}

/** The default hub cache folder, as huggingface_hub finds it (HF_HUB_CACHE, HF_HOME/hub, ~). */
export function defaultHubCache(env: Readonly<Record<string, string | undefined>>): string {
  if (env.HF_HUB_CACHE !== undefined && env.HF_HUB_CACHE !== '') return env.HF_HUB_CACHE;
  if (env.HF_HOME !== undefined && env.HF_HOME !== '') return join(env.HF_HOME, 'hub');
  const xdg = env.XDG_CACHE_HOME;
  const home = env.HOME ?? '';
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.cache'), 'huggingface', 'hub');
}

/**
 * Scans a local Hugging Face hub cache: every snapshot of every repository folder
 * (`models--OWNER--NAME/snapshots/<commit>/`), following its links into `blobs/` (links that
 * leave the repository folder are unscanned entries). Each result names its repository,
 * commit and file (`hf://OWNER/NAME@<commit>/FILE`), and the report lists which branches and
 * tags (`refs/`) point at each commit. A cache folder that cannot be read is one unscanned entry.
 */
export async function scanHubCache(cacheDir: string, options: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const severity: Severity = options.unscannedSeverity ?? 'high';
  let root: string;
  let names: string[];
  try {
    root = await realpath(cacheDir);
    names = (await readdir(root)).sort();
  } catch (error) {
    const reason =
      (error as { code?: unknown }).code === 'ENOENT' ? 'no such folder' : String(error);
    return finish(
      [unscannedEntry({ path: cacheDir, reason, kind: 'missing' }, severity)],
      [],
      [],
      started,
      { source: cacheDir, repos: [] },
    );
  }
  const snapshots: string[] = [];
  const repos: HubScanInfo['repos'][number][] = [];
  for (const name of names) {
    const place = hfCachePlace(join(root, name));
    if (place?.repoFolder !== join(root, name)) continue;
    const refs = await readRefs(join(root, name, 'refs'));
    let revs: string[] = [];
    try {
      revs = (await readdir(join(root, name, 'snapshots'))).sort();
    } catch {
      continue;
    }
    for (const rev of revs) {
      const dir = join(root, name, 'snapshots', rev);
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      snapshots.push(dir);
      const named = [...refs].filter(([, sha]) => sha === rev).map(([r]) => r);
      repos.push({
        repo: place.repoId,
        type: place.repoType,
        revision: named[0] ?? rev,
        commit: rev,
        ...(named.length === 0 ? {} : { refs: named }),
      });
    }
  }
  if (snapshots.length === 0) {
    return finish(
      [
        unscannedEntry(
          {
            path: cacheDir,
            reason: 'no models--/datasets--/spaces-- snapshot folders: not a Hugging Face cache',
            kind: 'missing',
          },
          severity,
        ),
      ],
      [],
      [],
      started,
      { source: cacheDir, repos },
    );
  }
  const report = await scanPaths(snapshots, options);
  // Each snapshot folder's path becomes the `hf://` name of that repository at that commit.
  const names2 = snapshots.map((dir) => {
    const place = hfCachePlace(dir);
    const ref: HubRef = {
      type: place?.repoType ?? 'model',
      id: place?.repoId ?? '',
      revision: place?.revision ?? '',
    };
    return { prefix: `${dir}/`, base: `${formatHubRef(ref)}/`, ref };
  });
  const rewrite = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value), (_key, v: unknown) => {
      if (typeof v !== 'string') return v;
      let out = v;
      for (const n of names2) if (out.includes(n.prefix)) out = out.split(n.prefix).join(n.base);
      return out;
    }) as T;
  const texts: Record<string, string> = {};
  for (const original of report.files) {
    if (original.verdict === null) continue;
    for (const card of ['config.json', 'README.md']) {
      const at = join(dirname(original.path), card);
      const info = await stat(at).catch(() => undefined);
      if (info === undefined || !info.isFile() || info.size > CARD_TEXT_BYTES) continue;
      texts[rewrite(at)] = await readFile(at, 'utf8');
    }
  }
  const files = report.files.map((original) => {
    const file = rewrite(original);
    const n = names2.find((x) => original.path.startsWith(x.prefix));
    if (n === undefined) return file;
    return {
      ...file,
      hub: {
        repo: n.ref.id,
        type: n.ref.type,
        revision: n.ref.revision,
        file: original.path.slice(n.prefix.length),
        read: 'cache' as const,
      },
    };
  });
  return {
    ...report,
    files,
    ...(report.torch === undefined ? {} : { torch: rewrite(report.torch) }),
    hub: { source: cacheDir, repos, texts },
    summary: rewrite(report.summary),
  };
}

/** `refs/<name>` files of a cache repository folder: ref name → commit. */
async function readRefs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop() ?? '';
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) stack.push(r);
      else if (e.isFile()) {
        const text = await readFile(join(dir, r), 'utf8').catch(() => '');
        if (/^[0-9a-f]{40}\s*$/.test(text)) out.set(r, text.trim());
      }
    }
  }
  return out;
}
