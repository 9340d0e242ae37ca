import { median, percentile } from './stats.js';
import { mulberry32 } from '../../test/support/prng.js';

/**
 * The cost of one target against another on a shared, noisy machine, from many short alternating slices of the
 * same load (A B A B …, both servers up, the load generator's connections to both kept open): every slice is
 * compared with its neighbours, so a burst of foreign load or a drift (JIT, GC, the VM's steal time) lands on both
 * sides of each ratio, and the verdict is the median of those ratios (each slice against the mean of its two
 * neighbours) with their quartiles and a bootstrap interval of the median.
 */

/** One slice: which side ran, requests done, wall time, the answering process's CPU ns, others' CPU share. */
export interface Slice {
  side: 'base' | 'other';
  requests: number;
  errors: number;
  seconds: number;
  cpuNs: number;
  /** Share of all cores other processes used during the slice (0..1), when known. */
  foreign?: number;
}

export interface Spread {
  /** The median over the ratios (each slice against its neighbours), all generations pooled. */
  median: number;
  /** Interquartile range of those ratios. */
  q1: number;
  q3: number;
  /** 90 % bootstrap interval of the median (generations resampled, then ratios within each). */
  lo: number;
  hi: number;
  /** The median of each generation (pair of processes) on its own. */
  perGeneration: number[];
}

export interface SlicedVerdict {
  /** 1 − other/base req/s: the throughput `other` loses. */
  rpsLost: Spread;
  /** other/base CPU ns per request − 1. */
  cpuMore: Spread;
  /** CPU µs per request of each side over all its slices (total CPU / total requests). */
  cpuUs: { base: number; other: number };
  /** Requests per second of each side, median over its slices. */
  rps: { base: number; other: number };
  /** Ratios used (slices compared with their two neighbours). */
  n: number;
}

const rpsOf = (s: Slice) => s.requests / s.seconds;
const cpuOf = (s: Slice) => s.cpuNs / s.requests;

/** Requests per second and CPU ns per request of one side around one moment. */
export interface Point {
  rps: number;
  cpu: number;
}

/**
 * Every run of three consecutive usable slices (sides alternating) as a [base, other] comparison of the middle
 * slice with the mean of its two neighbours: a drift that is linear over three slices cancels out of each one.
 */
export function triplets(slices: readonly Slice[], maxSwing = 1): Array<[Point, Point]> {
  const out: Array<[Point, Point]> = [];
  for (let i = 1; i + 1 < slices.length; i++) {
    const three = [slices[i - 1]!, slices[i]!, slices[i + 1]!] as const;
    const [a, m, b] = three;
    const foreign = three.map((s) => s.foreign ?? 0);
    if (three.some((s) => s.requests === 0) || Math.max(...foreign) - Math.min(...foreign) > maxSwing) continue;
    if (a.side === m.side || b.side === m.side) continue;
    const around: Point = { rps: (rpsOf(a) + rpsOf(b)) / 2, cpu: (cpuOf(a) + cpuOf(b)) / 2 };
    const middle: Point = { rps: rpsOf(m), cpu: cpuOf(m) };
    out.push(m.side === 'base' ? [middle, around] : [around, middle]);
  }
  return out;
}

/**
 * Median and quartiles of the pooled values, and a 90 % interval of the median from a two-stage bootstrap (2000
 * resamples): generations drawn with replacement, then values within each. Two processes of the same code differ
 * by up to ~10 % in CPU per request from one start to the next (JIT and GC decisions), so the generations, not the slices, are the
 * independent samples of that part of the noise.
 */
export function spread(generations: ReadonlyArray<readonly number[]>, resamples = 2000): Spread {
  const gens = generations.filter((g) => g.length > 0);
  const pooled = gens.flat().sort((a, b) => a - b);
  // Seeded: the same slices always give the same interval.
  const random = mulberry32(0x5eed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const medians: number[] = [];
  for (let r = 0; r < resamples && pooled.length > 0; r++) {
    const sample: number[] = [];
    for (let g = 0; g < gens.length; g++) {
      const gen = pick(gens);
      for (let i = 0; i < gen.length; i++) sample.push(pick(gen));
    }
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  return {
    median: median(pooled),
    q1: percentile(pooled, 25),
    q3: percentile(pooled, 75),
    lo: percentile(medians, 5),
    hi: percentile(medians, 95),
    perGeneration: gens.map((g) => median(g)),
  };
}

/**
 * The verdict over generations of slices (each generation: one pair of processes, its slices in the order they
 * ran). A comparison is only fair when other processes took the same share of the machine from both sides:
 * triplets whose slices' foreign shares differ by more than `maxSwing` are left out (a steady foreign load slows
 * both sides alike and stays in).
 */
export function slicedVerdict(generations: ReadonlyArray<readonly Slice[]>, maxSwing = 1): SlicedVerdict {
  const pairs = generations.map((slices) => triplets(slices, maxSwing));
  const all = generations.flat();
  const side = (which: Slice['side']) => all.filter((s) => s.side === which && s.requests > 0);
  const cpuUs = (list: Slice[]) => list.reduce((n, s) => n + s.cpuNs, 0) / 1000 / list.reduce((n, s) => n + s.requests, 0);
  return {
    rpsLost: spread(pairs.map((g) => g.map(([b, o]) => 1 - o.rps / b.rps))),
    cpuMore: spread(pairs.map((g) => g.map(([b, o]) => o.cpu / b.cpu - 1))),
    cpuUs: { base: cpuUs(side('base')), other: cpuUs(side('other')) },
    rps: { base: median(side('base').map(rpsOf)), other: median(side('other').map(rpsOf)) },
    n: pairs.reduce((n, g) => n + g.length, 0),
  };
}
