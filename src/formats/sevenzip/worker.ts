import { serveRequests } from '../bounded-worker.js';
import { readSevenZipInProcess, type SevenZipResult } from './read-archive.js';

/** A request from `readSevenZip`. */
export interface SevenZipRequest {
  readonly bytes: Uint8Array;
  readonly limits: { maxInputBytes: number; maxEntries: number };
  readonly maxExtractBytes: number;
}

serveRequests<SevenZipRequest, SevenZipResult>((request) =>
  readSevenZipInProcess(request.bytes, request.limits, request.maxExtractBytes),
);
