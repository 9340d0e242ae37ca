import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc readings shared by the tests and the benches: a process's CPU ticks and its children.
 * The fields of /proc/<pid>/stat are read after the `)` that ends the command name (which may hold spaces).
 */

function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** User + system CPU ticks of a process so far (0 if it is gone or unreadable). */
export function procTicks(pid: number): number {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : 0;
}

/** The direct children of `ppid`. */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (Number(statFields(name)?.[1]) === ppid) out.push(Number(name));
  }
  return out;
}

/**
 * Every process below `pid`: children, grandchildren… Deliberately not src/sandbox/process-tree.ts's
 * `descendants`: the tests use this one to check from outside that the sandbox (which walks its tree
 * with that one, through the `children` files of each thread) left no process behind, so it must not
 * share that code and its mistakes; it scans every process's parent in /proc instead.
 */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const kids = childPids(queue.shift()!);
    found.push(...kids);
    queue.push(...kids);
  }
  return found;
}

/** A process's command line, its arguments separated by NULs ('' if it is gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
