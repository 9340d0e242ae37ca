import { median } from './stats.js';

/**
 * Paired comparison of two targets on a shared, noisy machine: short runs alternate A B, B A, A B… so that a
 * burst of foreign load or a drift (JIT, GC, thermal) lands on both sides of a pair, and the verdict is the
 * median of the per-pair ratios rather than a ratio of medians taken minutes apart.
 */

/** One side of a pair: requests per second and CPU µs per request of the answering process. */
export interface Side {
  rps: number;
  cpuUs: number;
}

export interface Pair {
  base: Side;
  other: Side;
  /** Share of all cores other processes used while the pair ran (0..1), when known. */
  foreign?: number;
}

/** Which side runs first in pair `i` (0-based): base, other, other, base, base, other… (ABBA). */
export const baseFirst = (i: number): boolean => (i & 1) === 0;

export interface PairedVerdict {
  /** Median over pairs of 1 − other.rps / base.rps: the throughput `other` loses. */
  rpsLost: number;
  /** Median over pairs of other.cpuUs / base.cpuUs − 1: the CPU per request `other` adds. */
  cpuMore: number;
  /** The per-pair throughput losses, in the order measured. */
  losses: number[];
  /** The per-pair CPU increases, in the order measured. */
  cpuIncreases: number[];
}

/** The medians of the paired ratios; pairs with a side that served nothing are left out (NaN when none is left). */
export function pairedVerdict(pairs: readonly Pair[]): PairedVerdict {
  const valid = pairs.filter((p) => p.base.rps > 0 && p.other.rps > 0);
  const losses = valid.map((p) => 1 - p.other.rps / p.base.rps);
  const cpuIncreases = valid.filter((p) => p.base.cpuUs > 0 && Number.isFinite(p.other.cpuUs)).map((p) => p.other.cpuUs / p.base.cpuUs - 1);
  return { rpsLost: median(losses), cpuMore: median(cpuIncreases), losses, cpuIncreases };
}
