import type { Stats } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { HeldDir, isSegment } from './held-dir.js';

/**
 * The server's side of a session's /mnt/data. The sandboxed code controls everything in it and may
 * still be running (a thread outlives its cell), so every operation here goes through directory
 * descriptors (HeldDir): no path is resolved twice, no link is followed at any component, only
 * regular files are opened, and no walk is without bounds.
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
  visit: (rel: string, st: Stats) => boolean | void,
  limits = { maxDepth: MAX_DEPTH, maxEntries: MAX_ENTRIES },
): Promise<void> {
  let entries = 0;
  let stopped = false;
  async function into(held: HeldDir, prefix: string, depth: number): Promise<void> {
    for (const name of await held.names()) {
      if (stopped || ++entries > limits.maxEntries) return;
      const st = await held.stat(name);
      if (!st) continue;
      const sub = st.isDirectory() && depth < limits.maxDepth ? await held.sub(name) : undefined;
      if (sub) {
        try {
          await into(sub, `${prefix}${name}/`, depth + 1);
        } finally {
          await sub.close();
        }
      } else if (!st.isDirectory() && visit(`${prefix}${name}`, st) === false) stopped = true;
    }
  }
  const root = await HeldDir.open(dir);
  if (!root) return;
  try {
    await into(root, '', 0);
  } finally {
    await root.close();
  }
}

export async function snapshotDir(dir: string): Promise<DirSnapshot> {
  const snap: DirSnapshot = new Map();
  await walk(dir, (rel, st) => {
    if (st.isFile()) snap.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
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
    (_rel, st) => {
      total += st.blocks * 512 || st.size;
      return total <= stopAt;
    },
    { maxDepth: MAX_DEPTH * 2, maxEntries: MAX_ENTRIES * 4 },
  );
  return total;
}

/** A relative path's segments, when it stays inside the directory (no `..`, not absolute). */
function segmentsOf(rel: string): string[] | undefined {
  const parts = rel.split('/');
  return rel && parts.every(isSegment) ? parts : undefined;
}

/** Runs `fn` on the directory holding `rel` and on its last segment, reached without following links. */
async function inParent<T>(dir: string, rel: string, fn: (parent: HeldDir, name: string) => Promise<T>): Promise<T | undefined> {
  const parts = segmentsOf(rel);
  if (!parts) return undefined;
  const root = await HeldDir.open(dir);
  const parent = await root?.walkTo(parts.slice(0, -1));
  await root?.close();
  if (!parent) return undefined;
  try {
    return await fn(parent, parts.at(-1)!);
  } finally {
    await parent.close();
  }
}

export async function removeFiles(dir: string, paths: string[]): Promise<void> {
  for (const rel of paths) await inParent(dir, rel, (parent, name) => parent.remove(name, 0));
}

/** Removes `name` in `dir` (a single segment), with whatever lies under it. */
export async function removeEntry(dir: string, name: string): Promise<void> {
  await inParent(dir, name, (parent) => parent.remove(name));
}

/** Empties and removes a session's directory (the directory's own path is the server's). */
export async function removeSessionDir(dir: string): Promise<void> {
  const root = await HeldDir.open(dir);
  if (!root) return;
  try {
    // Each pass removes 64 levels and moves what lies deeper up to the root, until nothing is left, or until a
    // pass leaves only names it already saw (an entry that cannot be removed stays).
    let seen = new Set<string>();
    for (let names = await root.names(); names.some((n) => !seen.has(n)); names = await root.names()) {
      seen = new Set(names);
      for (const name of names) await root.remove(name, 64, root);
    }
  } finally {
    await root.close();
  }
  await rmdir(dir).catch(() => {});
}

/**
 * A file the code wrote, read only if it is a regular file within the size limit, reached without
 * following a link at any component; undefined otherwise.
 */
export async function readSessionFile(dir: string, rel: string, maxBytes: number): Promise<Buffer | undefined> {
  const read = await inParent(dir, rel, async (parent, name) => {
    const handle = await parent.openFile(name);
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return undefined;
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const { bytesRead } = await handle.read(buf, off, size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await handle.close();
    }
  });
  return read ?? undefined;
}
