import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SandboxLimits } from './bwrap.js';

/**
 * Limits that hold for a session as a whole — all its processes, and the memory-backed files
 * they write — through a control group per session: cgroup v2 (a delegated subtree with the
 * memory and pids controllers), else the v1 `memory` and `pids` hierarchies. Where neither is
 * writable, sessions run without one and only the per-process rlimits hold.
 */

export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
}

/** The control group of one session: the sandbox's processes are moved in before any code runs. */
export interface SessionCgroup {
  add(pids: number[]): Promise<void>;
  /** Processes the kernel killed in the group for want of memory, so far. */
  oomKills(): number;
  /** Removes the group once its processes are gone (they are being killed). */
  remove(): Promise<void>;
}

export interface SessionLimiter {
  kind: 'cgroup2' | 'cgroup1' | 'none';
  /** Where the sessions' groups live, or why there are none. */
  detail: string;
  create(name: string, limits: CgroupLimits): Promise<SessionCgroup | undefined>;
  close(): Promise<void>;
}

export interface CgroupHost {
  /** Where cgroup file systems are mounted (default /sys/fs/cgroup). */
  root: string;
  /** The text of /proc/self/cgroup. */
  self: string;
  /** This process's pid (it may move itself into a leaf of its v2 group to delegate the rest). */
  pid: number;
}

const PREFIX = 'switchboard-sandbox-';

/** Our group in each hierarchy: '' for v2, a controller name (memory, pids…) for v1. */
function ownGroups(self: string): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of self.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (m) for (const c of m[1]!.split(',')) groups.set(c, m[2]!);
  }
  return groups;
}

const write = (path: string, value: string | number) => writeFile(path, String(value));

async function removeGroup(dir: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await rmdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code !== 'EBUSY' || Date.now() > deadline) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Groups left by a server that died without closing (its sandboxes died with it). */
async function removeStale(base: string): Promise<void> {
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    for (const sub of await readdir(join(base, name), { withFileTypes: true }).catch(() => []))
      if (sub.isDirectory()) await removeGroup(join(base, name, sub.name), 0);
    await removeGroup(join(base, name), 0);
  }
}

function oomKills(file: string): number {
  try {
    return Number(/^oom_kill (\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Enables memory and pids for the children of `base`, moving this process into a leaf if it is alone there. */
async function delegateV2(base: string, pid: number): Promise<void> {
  const controllers = (await readFile(join(base, 'cgroup.controllers'), 'utf8')).split(/\s+/);
  if (!controllers.includes('memory') || !controllers.includes('pids'))
    throw new Error(`cgroup v2: the memory and pids controllers are not available in ${base}`);
  try {
    await write(join(base, 'cgroup.subtree_control'), '+memory +pids');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    // A group with processes cannot hand controllers down: when they are all ours, move to a leaf.
    const procs = (await readFile(join(base, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
    if (procs.some((p) => p !== pid)) throw new Error(`cgroup v2: ${base} holds other processes; delegate an empty group to Switchboard`);
    await mkdir(join(base, 'switchboard-server'), { recursive: true });
    await write(join(base, 'switchboard-server', 'cgroup.procs'), pid);
    await write(join(base, 'cgroup.subtree_control'), '+memory +pids');
  }
}

async function cgroup2(host: CgroupHost, own: string, token: string): Promise<SessionLimiter> {
  const unified = existsSync(join(host.root, 'cgroup.controllers')) ? host.root : join(host.root, 'unified');
  const base = join(unified, own);
  await delegateV2(base, host.pid);
  await removeStale(base);
  const parent = join(base, `${PREFIX}${host.pid}-${token}`);
  await mkdir(parent);
  await write(join(parent, 'cgroup.subtree_control'), '+memory +pids');
  return {
    kind: 'cgroup2',
    detail: parent,
    async create(name, limits) {
      const dir = join(parent, name);
      await mkdir(dir);
      await write(join(dir, 'memory.max'), limits.memoryBytes);
      await write(join(dir, 'memory.swap.max'), 0).catch(() => {});
      await write(join(dir, 'pids.max'), limits.maxProcesses);
      return {
        add: async (pids) => {
          for (const p of pids) await write(join(dir, 'cgroup.procs'), p);
        },
        oomKills: () => oomKills(join(dir, 'memory.events')),
        remove: () => removeGroup(dir),
      };
    },
    close: () => removeGroup(parent),
  };
}

async function cgroup1(host: CgroupHost, groups: Map<string, string>, token: string): Promise<SessionLimiter> {
  const parents = ['memory', 'pids'].map((c) => join(host.root, c, groups.get(c)!));
  for (const base of parents) await removeStale(base);
  const [memory, pids] = parents.map((base) => join(base, `${PREFIX}${host.pid}-${token}`)) as [string, string];
  await mkdir(memory);
  await mkdir(pids).catch(async (err: unknown) => {
    await removeGroup(memory, 0);
    throw err;
  });
  return {
    kind: 'cgroup1',
    detail: `${memory}, ${pids}`,
    async create(name, limits) {
      const dirs = [join(memory, name), join(pids, name)] as const;
      for (const dir of dirs) await mkdir(dir);
      await write(join(dirs[0], 'memory.limit_in_bytes'), limits.memoryBytes);
      // With swap accounting, memory + swap gets the same bound (no swapping past the limit).
      await write(join(dirs[0], 'memory.memsw.limit_in_bytes'), limits.memoryBytes).catch(() => {});
      await write(join(dirs[1], 'pids.max'), limits.maxProcesses);
      return {
        add: async (list) => {
          for (const p of list) for (const dir of dirs) await write(join(dir, 'cgroup.procs'), p);
        },
        oomKills: () => oomKills(join(dirs[0], 'memory.oom_control')),
        remove: async () => {
          for (const dir of dirs) await removeGroup(dir);
        },
      };
    },
    close: async () => {
      await removeGroup(memory);
      await removeGroup(pids);
    },
  };
}

function none(detail: string): SessionLimiter {
  return { kind: 'none', detail, create: async () => undefined, close: async () => {} };
}

/**
 * Finds how sessions can be limited as a whole here: cgroup v2 where our group has (or can be
 * given) the memory and pids controllers, else the writable v1 hierarchies, else none (with why).
 */
export async function detectCgroups(host: CgroupHost, token: string): Promise<SessionLimiter> {
  const groups = ownGroups(host.self);
  const reasons: string[] = [];
  if (groups.has('')) {
    try {
      return await cgroup2(host, groups.get('')!, token);
    } catch (err) {
      reasons.push((err as Error).message);
    }
  }
  if (groups.has('memory') && groups.has('pids')) {
    try {
      return await cgroup1(host, groups, token);
    } catch (err) {
      reasons.push(`cgroup v1: ${(err as Error).message}`);
    }
  } else reasons.push('cgroup v1: no memory and pids hierarchies');
  return none(reasons.join('; '));
}

/** The host's cgroup setup for this process. */
export function thisHost(): CgroupHost {
  let self = '';
  try {
    self = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    // not Linux
  }
  return { root: '/sys/fs/cgroup', self, pid: process.pid };
}

/** One line at start that says which limits hold for a session: a warning when only rlimits do. */
export function logLimits(log: Logger, limiter: SessionLimiter, limits: SandboxLimits): void {
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const fields = { memoryMb: mb(limits.memoryBytes), maxProcesses: limits.maxProcesses, tmpMb: mb(limits.tmpBytes), cgroup: limiter.kind, where: limiter.detail };
  const rest = `/tmp and /dev/shm ${fields.tmpMb} MB each, the rest of the sandbox read-only`;
  if (limiter.kind !== 'none')
    log.info(fields, `code_interpreter limits: ${fields.memoryMb} MB of memory and ${limits.maxProcesses} processes per session, for all its processes together (${limiter.kind}); ${rest}`);
  else
    log.warn(
      fields,
      `code_interpreter limits: no control groups (${limiter.detail}): memory is limited per process only ` +
        `(${fields.memoryMb} MB of address space each, ${limits.maxProcesses} processes), so a session's processes together can use more; ${rest}`,
    );
}
