import { constants, type Stats } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { lstat, open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** One path segment: not empty, no slash, not `.` or `..`. */
export function isSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/**
 * A directory held open by descriptor. Names are looked up in the directory the descriptor refers
 * to — through `/proc/self/fd/<fd>/<name>`, Linux's openat() for a runtime that has none — and the
 * last component is never followed. Whatever the sandboxed code renames or swaps for a symbolic link
 * meanwhile, an operation through a HeldDir stays inside the directory it was opened on: a directory
 * is entered only by opening it with O_NOFOLLOW from its parent's descriptor, never by path.
 */
export class HeldDir {
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens a directory whose own path the sandbox cannot change (the session's root). */
  static async open(path: string): Promise<HeldDir | undefined> {
    const handle = await open(path, DIR_FLAGS).catch(() => undefined);
    return handle && new HeldDir(handle);
  }

  /** The path of `name` inside this directory, resolved through the descriptor. */
  at(name: string): string {
    if (!isSegment(name)) throw new Error(`not a single path segment: ${JSON.stringify(name)}`);
    return `/proc/self/fd/${this.#handle.fd}/${name}`;
  }

  names(): Promise<string[]> {
    return readdir(`/proc/self/fd/${this.#handle.fd}`).catch(() => [] as string[]);
  }

  /** The entry itself (a link is not followed), or undefined when it is gone. */
  stat(name: string): Promise<Stats | undefined> {
    return lstat(this.at(name)).catch(() => undefined);
  }

  /** A subdirectory, held; undefined when it is not a real directory (a link, a file) or is gone. */
  async sub(name: string): Promise<HeldDir | undefined> {
    const handle = await open(this.at(name), DIR_FLAGS).catch(() => undefined);
    return handle && new HeldDir(handle);
  }

  /** A regular file's handle, never through a link, never blocking on a FIFO. */
  async openFile(name: string): Promise<FileHandle | undefined> {
    const handle = await open(this.at(name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
    if (!handle) return undefined;
    if ((await handle.stat()).isFile()) return handle;
    await handle.close();
    return undefined;
  }

  /** The directory a relative path's parent segments lead to, each entered with O_NOFOLLOW. */
  async walkTo(segments: string[]): Promise<HeldDir | undefined> {
    // The descriptor's own link leads to this very directory: a second handle on it.
    const again = await open(`/proc/self/fd/${this.#handle.fd}`, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => undefined);
    let dir: HeldDir | undefined = again && new HeldDir(again);
    for (const name of segments) {
      const next: HeldDir | undefined = dir && isSegment(name) ? await dir.sub(name) : undefined;
      await dir?.close();
      dir = next;
    }
    return dir;
  }

  /**
   * Removes an entry; a directory with everything under it, each level through its descriptor. At most `depth`
   * levels are held open at once: a directory below that is moved up into `overflow` (renamed through both
   * descriptors, so no path is followed), where the caller's next pass removes it.
   */
  async remove(name: string, depth = 64, overflow?: HeldDir): Promise<void> {
    const st = await this.stat(name);
    if (!st) return;
    if (!st.isDirectory()) return unlink(this.at(name)).catch(() => {});
    if (depth <= 0 && overflow) return rename(this.at(name), overflow.at(`.deep-${randomUUID()}`)).catch(() => {});
    const sub = depth > 0 ? await this.sub(name) : undefined;
    if (sub) {
      try {
        for (const child of await sub.names()) await sub.remove(child, depth - 1, overflow);
      } finally {
        await sub.close();
      }
    }
    await rmdir(this.at(name)).catch(() => {});
  }

  close(): Promise<void> {
    return this.#handle.close().catch(() => {});
  }
}
