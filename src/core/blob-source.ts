import type { ByteSource } from './byte-source.js';

/** The part of a Blob (or browser File) a BlobSource reads: its size and ranged slices. */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * A source over a Blob or browser File: every read is a ranged `slice`, so a multi-gigabyte
 * checkpoint dropped on the web page is never loaded whole. Imports no Node built-in (the web
 * bundle uses it); Node 20's Blob works as well.
 */
export class BlobSource implements ByteSource {
  constructor(private readonly blob: BlobLike) {}

  get size(): number {
    return this.blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0
    ) {
      throw new RangeError(`bad range ${offset}+${length}`);
    }
    const start = Math.min(offset, this.blob.size);
    const end = Math.min(this.blob.size, start + length);
    if (end === start) return new Uint8Array(0);
    return new Uint8Array(await this.blob.slice(start, end).arrayBuffer());
  }
}
