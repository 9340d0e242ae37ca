import type { Readable } from 'node:stream';

/**
 * Where uploaded files' bytes live: a local directory, the database (chunks in `file_blobs`) or an
 * S3-compatible bucket (create-file-storage.ts picks one from SWITCHBOARD_FILE_STORE).
 */
export interface FileStorage {
  /**
   * Streams `source` into storage under `key`, never holding it whole in memory. Rejects (and
   * leaves nothing behind) when the source errors or exceeds `maxBytes`.
   */
  put(key: string, source: Readable, opts: { maxBytes: number }): Promise<{ bytes: number }>;
  /** The stored bytes as a stream; rejects when the key is missing. */
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes} bytes.`);
  }
}

/** `get` of a key that has no stored bytes. */
export class StoredFileMissingError extends Error {
  override name = 'StoredFileMissingError';
  constructor(readonly key: string) {
    super(`No stored bytes for '${key}'.`);
  }
}
