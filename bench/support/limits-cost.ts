import type { CpuMark } from './cpu.js';
import { encodeRequest } from './raw-http.js';
import { runSlices, type SliceTarget } from './slice-load.js';
import { slicedVerdict, type Slice, type SlicedVerdict, type Spread } from './sliced.js';
import { median } from './stats.js';

/**
 * Issue 14's measurement: the cost of rate limiting + metrics on the gateway path, as the throughput and CPU per
 * request a Switchboard with both on ("other") shows against one with both off ("base") under the same max load,
 * in many short alternating slices (support/sliced.ts), non-streamed then streamed.
 */

/**
 * Limits the benches never reach on any window (10,000 requests a second take 27 hours to reach the day's), as
 * small integers: V8 keeps the counts and the remaining-counts under them as Smis, as with real limits (OpenAI's
 * largest are tens of millions), where limits past 2^31 made each `x-ratelimit-remaining-*` a heap number (about 0.1 µs
 * more a request to allocate and print).
 */
export const NEVER_REACHED = { max_requests_per_1_minute: 1_000_000_000, max_tokens_per_1_minute: 1_000_000_000, max_requests_per_1_day: 1_000_000_000 };

export interface CostSettings {
  /** Pairs of processes, each started afresh (the first may be the bench's own pair). */
  generations: number;
  /** Measured slices per side, per kind (non-streamed, streamed), per generation. */
  slices: number;
  sliceMs: number;
  warmupSlices: number;
  /** Which requests to measure: non-streamed (json), streamed (sse). */
  kinds: ReadonlyArray<'json' | 'sse'>;
  connections: number;
  /** Comparisons whose slices saw foreign CPU shares further apart than this are left out of the verdict. */
  maxSwing: number;
}

export interface CostRun {
  /** Per generation, its slices in the order they ran. */
  slices: Slice[][];
  verdict: SlicedVerdict;
}

export interface Cost {
  json: CostRun;
  sse: CostRun;
}

/** One generation's pair of processes; `stop` ends them (a no-op for processes the bench goes on using). */
export interface ProcessPair {
  base: SliceTarget;
  other: SliceTarget;
  stop(): Promise<void>;
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const pct = (v: number, digits = 1): string => `${fmt(v * 100, digits)}%`;

export async function measureCost(o: {
  /** The pair of generation `g` (0-based). */
  pair: (g: number) => Promise<ProcessPair>;
  request: { path: string; headers: Record<string, string>; body: string; streamBody: string };
  settings: CostSettings;
  mark: () => CpuMark | undefined;
  beforeEach: () => Promise<void>;
  log: (msg: string) => void;
  /** Every slice's requests, warm-up included (to divide a CPU profile's times per request). */
  onServed?: (side: Slice['side'], requests: number) => void;
}): Promise<Cost> {
  const s = o.settings;
  const encode = (body: string) => encodeRequest({ host: '127.0.0.1', path: o.request.path, headers: o.request.headers, body });
  const kinds = { json: encode(o.request.body), sse: encode(o.request.streamBody) };
  const slices = { json: [] as Slice[][], sse: [] as Slice[][] };
  for (let g = 0; g < s.generations; g++) {
    const pair = await o.pair(g);
    try {
      for (const kind of s.kinds) {
        const common = {
          base: pair.base,
          other: pair.other,
          request: kinds[kind],
          connections: s.connections,
          sliceMs: s.sliceMs,
          mark: o.mark,
          onSlice: (x: Slice) => o.onServed?.(x.side, x.requests),
        };
        await runSlices({ ...common, slices: s.warmupSlices });
        await o.beforeEach();
        const what = `generation ${g + 1}/${s.generations}, ${kind === 'json' ? 'non-streamed' : 'streamed'}`;
        const gen = await runSlices({ ...common, slices: s.slices });
        slices[kind].push(gen);
        o.log(`${what}: ${costLine(slicedVerdict([gen], s.maxSwing), [gen])}`);
      }
    } finally {
      await pair.stop();
    }
  }
  const run = (kind: 'json' | 'sse'): CostRun => ({ slices: slices[kind], verdict: slicedVerdict(slices[kind], s.maxSwing) });
  return { json: run('json'), sse: run('sse') };
}

const spreadText = (x: Spread) =>
  `${pct(x.median)} (IQR ${pct(x.q1)} … ${pct(x.q3)}; 90% CI of the median ${pct(x.lo)} … ${pct(x.hi)}` +
  `${x.perGeneration.length > 1 ? `; per generation ${x.perGeneration.map((v) => pct(v)).join(', ')}` : ''})`;

/** One line per kind: the verdict, its spread and each side's numbers. */
export function costLine(v: SlicedVerdict, generations: ReadonlyArray<readonly Slice[]>): string {
  const slices = generations.flat();
  const foreign = slices.map((s) => s.foreign ?? 0);
  const errors = slices.reduce((n, s) => n + s.errors, 0);
  return (
    `req/s lost ${spreadText(v.rpsLost)}; CPU/request more ${spreadText(v.cpuMore)}; ` +
    `median req/s switchboard ${fmt(v.rps.base)}, limits ${fmt(v.rps.other)}; ` +
    `CPU µs/request switchboard ${fmt(v.cpuUs.base, 1)}, limits ${fmt(v.cpuUs.other, 1)}; ` +
    `${v.n} ratios from ${slices.length} slices in ${generations.length} generation(s), ${errors} errors; other processes median ${pct(median(foreign))}, max ${pct(Math.max(0, ...foreign))}`
  );
}

export function costLines(c: Cost): string {
  return [
    `- limits + metrics vs switchboard, sliced: ${costLine(c.json.verdict, c.json.slices)}`,
    `- the same, streamed: ${costLine(c.sse.verdict, c.sse.slices)}`,
  ].join('\n');
}

/** Issue 14's rows of the ratio table. */
export function costRows(c: Cost, target: number): string[] {
  // Judged on the interval, not the median alone: met when even its upper end is below the target, missed when
  // even its lower end is above, else the measurement could not tell (a noisier machine, or a cost near the target).
  const verdict = (x: Spread): string =>
    x.hi < target ? '✅ met' : x.lo >= target ? '❌ missed' : x.median < target ? '≈ met by the median, interval reaches the target' : '≈ missed by the median, interval reaches below the target';
  const interval = (x: Spread) => `${pct(x.median)} [${pct(x.lo)}, ${pct(x.hi)}]`;
  const rows: string[] = [];
  for (const [label, run] of [['', c.json], ['streamed ', c.sse]] as const) {
    const v = run.verdict;
    rows.push(`| limits + metrics: ${label}max req/s lost (median of ${v.n} slice ratios [90% CI])² | ${interval(v.rpsLost)} | < ${target * 100}% | ${verdict(v.rpsLost)} |`);
    rows.push(`| limits + metrics: ${label}CPU/request more (same slices)² | ${interval(v.cpuMore)} | (< ${target * 100}%) | informative |`);
  }
  return rows;
}

export function costFootnote(s: CostSettings, pinned: boolean): string {
  const pin = pinned ? 'both pinned to the last core, the load generator and the upstream to the others (taskset), ' : '';
  return (
    `² Measured apart from the rounds, in ${s.generations} generations: a pair of Switchboards (the first pair is ` +
    `the rounds' own, each later one started afresh), both up, ${pin}loaded in turn: ${s.slices} slices of ${s.sliceMs} ms ` +
    `max load per Switchboard and kind, alternating switchboard, limits, switchboard… (${s.connections} ` +
    `keep-alive connections to each, opened once, from a lean raw-HTTP load generator), after ${s.warmupSlices} ` +
    `warm-up slices each. Each slice is compared with the mean of its two neighbours (the other Switchboard just ` +
    `before and just after), which cancels drift and bursts of foreign load; the value is the median of those ratios ` +
    `over all generations, with a 90% bootstrap interval of the median (generations resampled, then ratios): two ` +
    `starts of the very same code differ by up to ~10% in CPU per request (JIT and GC decisions; measured between ` +
    `identical pairs, 2026-12-06), so fresh pairs are what averages that out. ` +
    `CPU per request is each process's CPU time over its slices (all threads, /proc/<pid>/task/*/schedstat, ns). ` +
    `A comparison whose three slices saw the other processes' share of all cores differ by more than ` +
    `${fmt(s.maxSwing * 100)} points is left out (a steady foreign load slows both sides alike). The same ` +
    `method between two identical Switchboards (\`BENCH_LIMITS_SAME=1\`) is the check that it resolves 5%.`
  );
}
