import { readdirSync, readFileSync } from 'node:fs';
import { foreignShare, type CpuMark } from './cpu.js';
import { RawConnection } from './raw-http.js';
import type { Slice } from './sliced.js';

/** CPU time of every thread of `pid` so far, in ns (/proc/<pid>/task/<tid>/schedstat; 0 when unreadable). */
export function cpuNs(pid: number): number {
  let sum = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  return sum;
}

export interface SliceTarget {
  port: number;
  /** The answering process, for its CPU time. */
  pid: number;
}

export interface SliceRun {
  base: SliceTarget;
  other: SliceTarget;
  /** The request, encoded once (raw-http.ts encodeRequest). */
  request: Buffer;
  connections: number;
  sliceMs: number;
  /** Slices per side: the run is base, other, base, other… (2 × this many slices). */
  slices: number;
  /** Marks the machine and the bench's processes, for the foreign CPU share of each slice. */
  mark: () => CpuMark | undefined;
  onSlice?: (s: Slice, index: number) => void;
}

/**
 * Max load on one target for `ms`: every connection sends its next request as soon as its answer is in, until
 * the time is up; the slice ends when the last answer is in (so no request crosses into the next slice).
 */
async function oneSlice(conns: RawConnection[], request: Buffer, ms: number): Promise<{ requests: number; errors: number; seconds: number }> {
  const start = performance.now();
  const end = start + ms;
  let requests = 0;
  let errors = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const status = await c.send(request).catch(() => 0);
        if (status === 200) requests++;
        else errors++;
      }
    }),
  );
  return { requests, errors, seconds: (performance.now() - start) / 1000 };
}

/** Runs the alternating slices; both targets' connections stay open throughout. */
export async function runSlices(o: SliceRun): Promise<Slice[]> {
  const open = (t: SliceTarget) => Array.from({ length: o.connections }, () => new RawConnection('127.0.0.1', t.port));
  const conns = { base: open(o.base), other: open(o.other) };
  const out: Slice[] = [];
  try {
    for (let i = 0; i < 2 * o.slices; i++) {
      const side = i % 2 === 0 ? 'base' : 'other';
      const pid = o[side].pid;
      const mark = o.mark();
      const cpu0 = cpuNs(pid);
      const r = await oneSlice(conns[side], o.request, o.sliceMs);
      const slice: Slice = { side, ...r, cpuNs: cpuNs(pid) - cpu0, foreign: foreignShare(mark, o.mark()) };
      out.push(slice);
      o.onSlice?.(slice, i);
    }
  } finally {
    for (const c of [...conns.base, ...conns.other]) c.close();
  }
  return out;
}
