import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FileStoreConfig } from '../config.js';
import type { Db, DialectName } from '../store/database.js';
import { createDatabaseFileStorage } from './database-file-storage.js';
import { StoredFileMissingError, type FileStorage } from './file-storage.js';
import { createLocalFileStorage } from './local-file-storage.js';
import { createS3FileStorage } from './s3-file-storage.js';

/**
 * Reads fall back to `older` for keys `primary` lacks: files uploaded to the data directory before an
 * install moved to the database or a bucket stay readable (on the instance that has them) without a
 * copy step. New files go to `primary` only; a delete removes the key from both.
 */
export function withReadFallback(primary: FileStorage, older: FileStorage): FileStorage {
  return {
    put: (key, source, opts) => primary.put(key, source, opts),
    async get(key) {
      try {
        return await primary.get(key);
      } catch (err) {
        if (err instanceof StoredFileMissingError) return older.get(key);
        throw err;
      }
    },
    async delete(key) {
      await primary.delete(key);
      await older.delete(key);
    },
  };
}

/** The file storage SWITCHBOARD_FILE_STORE names; by default the database on PostgreSQL, the data directory on SQLite. */
export function createFileStorage(opts: {
  fileStore: FileStoreConfig;
  dialect: DialectName;
  db: Db;
  dataDir: string;
  log: Logger;
}): { storage: FileStorage; kind: 'local' | 'database' | 's3' } {
  const { fileStore } = opts;
  const local = createLocalFileStorage(join(opts.dataDir, 'files'));
  const kind = fileStore.kind === 'default' ? (opts.dialect === 'postgres' ? 'database' : 'local') : fileStore.kind;
  opts.log.info({ fileStore: kind, ...(fileStore.kind === 's3' ? { bucket: fileStore.bucket, prefix: fileStore.prefix } : {}) }, 'file storage');
  if (kind === 'local') return { storage: local, kind };
  const primary = fileStore.kind === 's3' ? createS3FileStorage(fileStore) : createDatabaseFileStorage(opts.db);
  return { storage: withReadFallback(primary, local), kind };
}
