import { constants } from 'node:fs';
import { chown, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomToken } from '../ids.js';
import { isSegment } from './held-dir.js';
import { removeEntry } from './session-files.js';

/** What the server writes into a session's /mnt/data: input files, and a moved session's earlier files. */

/**
 * Renames `tmp` to `name` in `dir`. Links are replaced, never followed; a directory the code put
 * there is removed (it may still be changing it: a few tries).
 */
async function placeFile(dir: string, tmp: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(tmp, join(dir, name));
    } catch (err) {
      if (attempt >= 5) {
        await rm(tmp, { force: true });
        throw err;
      }
      await removeEntry(dir, name);
    }
  }
}

/** Writes `bytes` beside (in `root`, the session's directory), then renames it over whatever the code left at `name` in `dir`. */
export async function writeSessionFile(o: { root: string; dir: string; name: string; bytes: Buffer; uid?: number }): Promise<void> {
  const tmp = join(o.root, `.switchboard-${randomToken(8)}.part`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(o.bytes);
    if (o.uid !== undefined) await handle.chown(o.uid, o.uid);
  } finally {
    await handle.close();
  }
  await placeFile(o.dir, tmp, o.name);
}

/**
 * Puts a new session's earlier files back (what the thread's code wrote, `name` a relative path). Called
 * before any code of the thread has run in the fresh directory, so no link can be in the way; a file
 * that cannot be read is reported to `warn` and left out.
 */
export async function restoreSessionFiles(o: {
  root: string;
  uid?: number;
  files: Array<{ fileId: string; name: string; read: () => Promise<Buffer> }>;
  warn: (err: unknown, file: { fileId: string }) => void;
}): Promise<void> {
  for (const f of o.files) {
    const parts = f.name.split('/');
    if (!parts.every(isSegment) || parts.length > 6) continue;
    try {
      let dir = o.root;
      for (const part of parts.slice(0, -1)) {
        dir = join(dir, part);
        await mkdir(dir, { recursive: true, mode: 0o755 });
        if (o.uid !== undefined) await chown(dir, o.uid, o.uid);
      }
      await writeSessionFile({ root: o.root, dir, name: parts.at(-1)!, bytes: await f.read(), uid: o.uid });
    } catch (err) {
      o.warn(err, f);
    }
  }
}
