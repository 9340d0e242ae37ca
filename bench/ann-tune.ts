/**
 * Tunes the nearest-neighbour index's parameters on the benchmark's synthetic vectors without a store: builds a
 * usearch index of BENCH_TUNE_CHUNKS chunks (bench/synthetic-vectors.ts, BENCH_VECTORS=embedding|random) for each
 * M × ef_construction, then for each ef measures recall@10 against an exact scan in JS and the mean search time.
 *
 *   BENCH_TUNE_CHUNKS=100000 BENCH_TUNE_M=16 BENCH_TUNE_EF_ADD=64 BENCH_TUNE_EF=32,64,128,256,512 node --import tsx bench/ann-tune.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { AnnIndex } from '../src/retrieval/ann-index.js';
import { mulberry32 } from '../test/support/prng.js';
import { cosine, syntheticVectors, type VectorShape } from './synthetic-vectors.js';

const DIMS = 512;
const list = (name: string, dflt: string) => (process.env[name] ?? dflt).split(',').map(Number);
const chunks = Number(process.env.BENCH_TUNE_CHUNKS ?? 100_000);
const queries = Number(process.env.BENCH_TUNE_QUERIES ?? 100);
const shape = (process.env.BENCH_VECTORS ?? 'embedding') as VectorShape;
const threads = Number(process.env.BENCH_ANN_THREADS ?? os.cpus().length);

const space = syntheticVectors(shape, DIMS);
const matrix = new Float32Array(chunks * DIMS);
for (let i = 0; i < chunks; i++) matrix.set(space.chunk(i), i * DIMS);
const rand = mulberry32(2000 + chunks);
const qs = Array.from({ length: queries }, () => space.query(rand, chunks));
const truth = qs.map((q) => {
  const scores = new Float32Array(chunks);
  for (let i = 0; i < chunks; i++) scores[i] = cosine(q, matrix.subarray(i * DIMS, (i + 1) * DIMS));
  return new Set([...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 10));
});

const dir = mkdtempSync(join(os.tmpdir(), 'sb-ann-tune-'));
try {
  const ids = Array.from({ length: chunks }, (_, i) => i);
  for (const connectivity of list('BENCH_TUNE_M', '16'))
    for (const expansionAdd of list('BENCH_TUNE_EF_ADD', '64')) {
      const build = new AnnIndex(DIMS, { scalar: 'f16', connectivity, expansionAdd, expansionSearch: 64 });
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < chunks; i += 10_000) build.add(ids.slice(i, i + 10_000), matrix.subarray(i * DIMS, Math.min(chunks, i + 10_000) * DIMS), threads);
      const { user, system } = process.cpuUsage(cpu);
      console.log(`${shape} ${chunks}: M ${connectivity}, ef_add ${expansionAdd}: built in ${((performance.now() - t) / 1000).toFixed(1)} s, ${((user + system) / 1e6).toFixed(1)} CPU s`);
      const path = join(dir, `m${connectivity}-${expansionAdd}.usearch`);
      build.save(path);
      for (const expansionSearch of list('BENCH_TUNE_EF', '32,64,128,256,512')) {
        const index = new AnnIndex(DIMS, { scalar: 'f16', connectivity, expansionAdd, expansionSearch });
        index.load(path);
        let found = 0;
        const cpu2 = process.cpuUsage();
        for (const [i, q] of qs.entries()) found += index.search(q, 10).filter((h) => truth[i]!.has(h.id)).length;
        const { user: u2, system: s2 } = process.cpuUsage(cpu2);
        console.log(`  ef ${expansionSearch}: recall@10 ${(found / (queries * 10)).toFixed(3)}, ${((u2 + s2) / 1000 / queries).toFixed(2)} CPU ms per search`);
      }
    }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
