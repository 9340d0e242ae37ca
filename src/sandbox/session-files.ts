import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * The server's side of a session's /mnt/data. The sandboxed code controls everything in it, so
 * nothing here follows a symbolic link, opens anything but a regular file, or walks without bounds.
 */

/** Regular files under a directory: relative path → size and modification time. */
export type DirSnapshot = Map<string, { size: number; mtimeMs: number; ino: number }>;

const MAX_DEPTH = 6;
const MAX_ENTRIES = 5000;

/**
 * Visits what lies under `dir` without following links, at most `maxDepth` levels and `maxEntries`
 * entries deep; `visit` returning false stops the walk.
 */
async function walk(
  dir: string,
  visit: (path: string, st: Stats) => boolean | void,
  limits = { maxDepth: MAX_DEPTH, maxEntries: MAX_ENTRIES },
): Promise<void> {
  let entries = 0;
  let stopped = false;
  async function into(path: string, depth: number): Promise<void> {
    const names = await readdir(path).catch(() => [] as string[]);
    for (const name of names) {
      if (stopped || ++entries > limits.maxEntries) return;
      const full = join(path, name);
      const st = await lstat(full).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory() && depth < limits.maxDepth) await into(full, depth + 1);
      else if (visit(full, st) === false) stopped = true;
    }
  }
  await into(dir, 0);
}

export async function snapshotDir(dir: string): Promise<DirSnapshot> {
  const snap: DirSnapshot = new Map();
  await walk(dir, (full, st) => {
    if (st.isFile()) snap.set(relative(dir, full).split(sep).join('/'), { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  });
  return snap;
}

/** Files that are new in `after`, or changed since `before`. */
export function diffSnapshots(before: DirSnapshot, after: DirSnapshot): string[] {
  const changed: string[] = [];
  for (const [path, f] of after) {
    const b = before.get(path);
    if (!b || b.size !== f.size || b.mtimeMs !== f.mtimeMs || b.ino !== f.ino) changed.push(path);
  }
  return changed.sort();
}

/** Bytes on disk under `dir`; counting stops once past `stopAt`. */
export async function dirBytes(dir: string, stopAt = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  await walk(
    dir,
    (_full, st) => {
      total += st.blocks * 512 || st.size;
      return total <= stopAt;
    },
    { maxDepth: MAX_DEPTH * 2, maxEntries: MAX_ENTRIES * 4 },
  );
  return total;
}

/** A relative path that stays inside the directory (no `..`, not absolute). */
export function insidePath(dir: string, rel: string): string | undefined {
  if (!rel || rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '')) return undefined;
  return join(dir, rel);
}

export async function removeFiles(dir: string, paths: string[]): Promise<void> {
  for (const rel of paths) {
    const full = insidePath(dir, rel);
    if (full) await rm(full, { force: true }).catch(() => {});
  }
}

/**
 * A file the code wrote, read without following links and only if it is a regular file within the
 * size limit; undefined otherwise (the code may have swapped it for a link or a FIFO meanwhile).
 */
export async function readSessionFile(dir: string, rel: string, maxBytes: number): Promise<Buffer | undefined> {
  const full = insidePath(dir, rel);
  if (!full) return undefined;
  // Every directory on the way must be a real directory, not a link planted by the code.
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const st = await lstat(join(dir, ...parts.slice(0, i))).catch(() => undefined);
    if (!st?.isDirectory()) return undefined;
  }
  let handle;
  try {
    handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await handle.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await handle.close();
  }
}
