import { Readable } from 'node:stream';
import type { Db } from '../store/database.js';
import { deleteBlob, readBlobChunk, writeBlob } from '../store/repos/file-blobs.repo.js';
import { FileTooLargeError, StoredFileMissingError, type FileStorage } from './file-storage.js';

/** Size of one stored chunk: large enough for few rows, small enough that neither side holds much. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/** The source cut into chunks of `size` bytes (the last one shorter; one empty chunk for an empty source). */
async function* chunksOf(source: AsyncIterable<Buffer | string>, opts: { size: number; maxBytes: number; counted: { bytes: number } }) {
  let parts: Buffer[] = [];
  let pending = 0;
  let yielded = false;
  for await (const piece of source) {
    let buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    opts.counted.bytes += buf.length;
    if (opts.counted.bytes > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes);
    while (pending + buf.length >= opts.size) {
      const take = opts.size - pending;
      parts.push(buf.subarray(0, take));
      buf = buf.subarray(take);
      yield Buffer.concat(parts);
      yielded = true;
      parts = [];
      pending = 0;
    }
    if (buf.length) {
      parts.push(buf);
      pending += buf.length;
    }
  }
  if (pending > 0 || !yielded) yield Buffer.concat(parts);
}

/**
 * File bytes in the database (`file_blobs`), the default on PostgreSQL so that every instance reads
 * what any instance stored. An upload is inserted chunk by chunk as it arrives, inside one transaction
 * (nothing is visible until it is complete; a failure leaves nothing); a download fetches one chunk at
 * a time as the reader asks for more. Neither side holds more than a chunk or two of a file.
 */
export function createDatabaseFileStorage(db: Db, opts: { chunkBytes?: number } = {}): FileStorage {
  const size = opts.chunkBytes ?? BLOB_CHUNK_BYTES;
  return {
    async put(key, source, { maxBytes }) {
      const counted = { bytes: 0 };
      try {
        await writeBlob(db, key, chunksOf(source, { size, maxBytes, counted }));
      } catch (err) {
        source.destroy();
        throw err;
      }
      return { bytes: counted.bytes };
    },

    async get(key) {
      const first = await readBlobChunk(db, key, 0);
      if (!first) throw new StoredFileMissingError(key);
      let n = 0;
      async function* chunks() {
        yield first!;
        for (;;) {
          const next = await readBlobChunk(db, key, ++n);
          if (!next) return;
          yield next;
        }
      }
      // highWaterMark 1: one chunk read ahead at most.
      return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
    },

    async delete(key) {
      await deleteBlob(db, key);
    },
  };
}
