import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux /proc readings of a sandbox's processes, by host pid. */

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // gone
  }
}

/** The parent pid of each process, from /proc/<pid>/stat (kernels without the `children` files). */
function childrenByScan(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      const stat = read(`/proc/${name}/stat`);
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid;
    })
    .map(Number);
}

const hasChildrenFiles = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/** The direct children of `pid`, from every one of its threads. */
export function childPids(pid: number): number[] {
  if (!hasChildrenFiles) return childrenByScan(pid);
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) => read(`/proc/${pid}/task/${tid}/children`).split(' ').filter(Boolean).map(Number));
}

/** Every process below `pid`: children, grandchildren… */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const kids = childPids(queue.shift()!);
    found.push(...kids);
    queue.push(...kids);
  }
  return found;
}

/** A process that has exited and waits to be reaped (or is gone): it runs no more code. */
export function isDead(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === '' || state === 'Z' || state === 'X';
}

export function cmdline(pid: number): string {
  return read(`/proc/${pid}/cmdline`).replace(/\0/g, ' ').trim();
}

/**
 * Kills every process below `init` but `keep` (and the threads of `keep`), again and again until
 * none is left running, or `timeoutMs` passes: true when none is left. Processes of a PID namespace
 * cannot leave its init's subtree (orphans are re-parented to it), so none is missed.
 */
export async function killAllBut(opts: { init: number; keep: number; timeoutMs: number }): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const left = descendants(opts.init).filter((p) => p !== opts.keep && !isDead(p));
    if (left.length === 0) return true;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
