import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomToken } from '../ids.js';
import { ByteLimit } from './byte-limit.js';
import { StoredFileMissingError, type FileStorage } from './file-storage.js';

/** Keys become file names: letters, digits, `-` and `_` only, so no key can reach outside the directory. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{3,200}$/;

export { StoredFileMissingError };

/**
 * Files under `dir`, sharded by the last two characters of the key (`dir/Xy/file-…Xy`). An upload is
 * written to `dir/.tmp/` and renamed into place once complete, so a reader never sees a partial file
 * and a failed upload leaves nothing behind.
 */
export function createLocalFileStorage(dir: string): FileStorage {
  const tmpDir = join(dir, '.tmp');
  const pathOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`Invalid storage key '${key}'.`);
    return join(dir, key.slice(-2), key);
  };

  return {
    async put(key, source, { maxBytes }) {
      const target = pathOf(key);
      const tmp = join(tmpDir, `${key}.${randomToken(8)}.part`);
      await mkdir(tmpDir, { recursive: true });
      const limit = new ByteLimit(maxBytes);
      const out = createWriteStream(tmp, { flags: 'wx' });
      try {
        await pipeline(source, limit, out);
        await mkdir(join(dir, key.slice(-2)), { recursive: true });
        await rename(tmp, target);
      } catch (err) {
        // The source may still be flowing (a limit hit mid-stream): stop it, then drop the partial file.
        source.destroy();
        // An open still in flight would create the file after rm: wait until the stream has closed.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await rm(tmp, { force: true });
        throw err;
      }
      return { bytes: limit.bytes };
    },

    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredFileMissingError(key);
        throw err;
      }
      return createReadStream(path) as Readable;
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
