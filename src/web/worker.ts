// The Web Worker of the page: scans dropped files off the page's thread, so the page stays
// responsive, and posts back the CLI's JSON report.
import { renderJson } from '../reporters/json.js';
import { scanBlobs, type DroppedFile } from './scan-blob.js';

// Replaced by the bundler with package.json's version (scripts/build-web.mjs).
declare const TORCHWARD_VERSION: string;

/** What the page posts: the dropped files. */
export interface ScanRequest {
  readonly files: readonly DroppedFile[];
}

/** What the worker posts back. */
export type ScanMessage =
  | {
      readonly kind: 'progress';
      readonly done: number;
      readonly total: number;
      readonly path: string;
    }
  | { readonly kind: 'report'; readonly report: unknown }
  | { readonly kind: 'error'; readonly message: string };

interface WorkerScope {
  onmessage: ((event: { readonly data: ScanRequest }) => void) | null;
  postMessage(message: ScanMessage): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { files } = event.data;
  scanBlobs(files, TORCHWARD_VERSION, {
    onProgress: (done, path) => {
      scope.postMessage({ kind: 'progress', done, total: files.length, path });
    },
  }).then(
    (report) => {
      scope.postMessage({ kind: 'report', report: JSON.parse(renderJson(report)) as unknown });
    },
    (error: unknown) => {
      scope.postMessage({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    },
  );
};
