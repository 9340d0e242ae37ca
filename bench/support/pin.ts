import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * CPU placement for a paired comparison on a small machine (Linux `taskset`): the two servers compared share one
 * core and everything else (the load generator, the upstream) gets the others, so whichever server is loaded
 * runs on the same core as the other did, instead of wherever the scheduler happened to keep it (on a 2-core VM
 * one process can sit for minutes on a vCPU whose host thread is busier, which reads as a few per cent of
 * "cost"). A no-op where taskset is missing or the machine has a single core.
 */

const CPUS = os.cpus().length;
const ALL = `0-${CPUS - 1}`;
const available = CPUS >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

function taskset(cpus: string, pid: number): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }).status === 0;
}

/** Puts `compared` on the last core and `rest` on the others; returns the undo (every pid back on all cores). */
export function pinPair(compared: number[], rest: number[]): { pinned: boolean; undo(): void } {
  if (!available) return { pinned: false, undo: () => {} };
  const pinned = [...compared.map((pid) => taskset(String(CPUS - 1), pid)), ...rest.map((pid) => taskset(`0-${CPUS - 2}`, pid))].every(Boolean);
  return { pinned, undo: () => void [...compared, ...rest].forEach((pid) => taskset(ALL, pid)) };
}
