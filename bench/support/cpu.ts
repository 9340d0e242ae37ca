import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procTicks } from '../../test/support/proc.js';

/**
 * Foreign CPU load (Linux /proc): other engineers' builds and tests share this small machine and
 * distort the numbers, so benches measure how much of all cores other processes used meanwhile, and
 * wait for a quiet machine before they measure.
 */

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux when getconf is missing). */
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time so far, in ticks: all cores', their busy part (incl. steal), and each of our processes'. */
export interface CpuMark {
  total: number;
  busy: number;
  ours: ReadonlyMap<number, number>;
}

/** A mark of the machine and of `ownPids` (the processes whose CPU is the bench's own); undefined off Linux. */
export function cpuMark(ownPids: Iterable<number>): CpuMark | undefined {
  let line: number[];
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  } catch {
    return undefined;
  }
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  const busy = user + nice + system + irq + softirq + steal;
  const ours = new Map<number, number>();
  for (const pid of ownPids) ours.set(pid, procTicks(pid));
  return { total: busy + idle + iowait, busy, ours };
}

/** Sum of the ticks of `pids` in a mark (a pid it does not hold counts 0). */
export function ticksOf(mark: CpuMark, pids: Iterable<number>): number {
  let sum = 0;
  for (const pid of new Set(pids)) sum += mark.ours.get(pid) ?? 0;
  return sum;
}

/**
 * Share of all cores' time (0..1) used by other processes between two marks; undefined when unknown.
 * Our CPU is what each process in `b` used since `a` (one that started meanwhile: all of it).
 */
export function foreignShare(a: CpuMark | undefined, b: CpuMark | undefined): number | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  let ours = 0;
  for (const [pid, ticks] of b.ours) ours += ticks - (a.ours.get(pid) ?? 0);
  return Math.min(1, Math.max(0, (b.busy - a.busy - ours) / (b.total - a.total)));
}

export interface QuietOptions {
  /** Marks the machine and the bench's own processes. */
  mark: () => CpuMark | undefined;
  /** Largest share of all cores other processes may use for the machine to count as quiet. */
  maxShare: number;
  /** Longest wait, in seconds (0: one sample). */
  maxWaitS: number;
  /** Length of one sample, in ms. */
  sampleMs: number;
  log: (msg: string) => void;
  /** Prefix of the log lines. */
  label?: string;
}

/**
 * Waits until one sample shows other processes using at most `maxShare` of all cores, for at most
 * `maxWaitS`: true when the machine was quiet (or its load unknown), false when it stayed busy.
 */
export async function waitQuiet(o: QuietOptions): Promise<boolean> {
  const deadline = Date.now() + o.maxWaitS * 1000;
  const label = o.label ? `${o.label}: ` : '';
  let warned = false;
  for (;;) {
    const a = o.mark();
    await sleep(o.sampleMs);
    const share = foreignShare(a, o.mark());
    if (share === undefined || share <= o.maxShare) return true;
    const pct = `${Math.round(share * 100)}% of all CPU`;
    if (Date.now() >= deadline) {
      o.log(`${label}machine still busy after ${o.maxWaitS} s (other processes use ${pct}), measuring anyway`);
      return false;
    }
    if (!warned) o.log(`${label}machine busy (other processes use ${pct}), waiting up to ${o.maxWaitS} s…`);
    warned = true;
  }
}
